//! HTTPS for the public listener: the operator's certificate chain and key (PEM), rustls on ring.
//! Handshakes run off the accept loop, each with a deadline, so a client that opens a connection
//! and never finishes its handshake holds nothing but its own socket.

use axum::serve::Listener;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Longest a client may take to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
	#[error("cannot read the TLS certificate chain {path}: {reason}")]
	Certificate { path: String, reason: String },
	#[error("cannot read the TLS private key {path}: {reason}")]
	Key { path: String, reason: String },
	#[error("the TLS certificate and key do not make a server configuration: {0}")]
	Config(#[from] rustls::Error),
}

/// A TLS acceptor serving the chain in `cert` (PEM, leaf first) with the key in `key` (PEM:
/// PKCS#8, PKCS#1 or SEC1), HTTP/1.1 only.
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
	let certificate_error =
		|reason: String| TlsError::Certificate { path: cert.display().to_string(), reason };
	let chain = CertificateDer::pem_file_iter(cert)
		.and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
		.map_err(|e| certificate_error(e.to_string()))?;
	if chain.is_empty() {
		return Err(certificate_error("no CERTIFICATE block in it".into()));
	}
	let key = PrivateKeyDer::from_pem_file(key)
		.map_err(|e| TlsError::Key { path: key.display().to_string(), reason: e.to_string() })?;
	let provider = Arc::new(rustls::crypto::ring::default_provider());
	let mut config = ServerConfig::builder_with_provider(provider)
		.with_safe_default_protocol_versions()?
		.with_no_client_auth()
		.with_single_cert(chain, key)?;
	config.alpn_protocols = vec![b"http/1.1".to_vec()];
	Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Connections on `tcp` that completed their TLS handshake, for `axum::serve`.
pub struct TlsListener {
	handshaken: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
	local: SocketAddr,
	accepting: tokio::task::JoinHandle<()>,
}

impl TlsListener {
	pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
		let local = tcp.local_addr()?;
		let (done, handshaken) = mpsc::channel(64);
		let accepting = tokio::spawn(async move {
			loop {
				let Ok((stream, peer)) = tcp.accept().await else {
					// Out of file descriptors and the like: wait rather than spin.
					tokio::time::sleep(Duration::from_millis(50)).await;
					continue;
				};
				let (acceptor, done) = (acceptor.clone(), done.clone());
				tokio::spawn(async move {
					let handshake =
						tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
					if let Ok(Ok(tls)) = handshake.await {
						let _ = done.send((tls, peer)).await;
					}
				});
			}
		});
		Ok(TlsListener { handshaken, local, accepting })
	}
}

impl Drop for TlsListener {
	fn drop(&mut self) {
		self.accepting.abort();
	}
}

impl Listener for TlsListener {
	type Io = TlsStream<TcpStream>;
	type Addr = SocketAddr;

	async fn accept(&mut self) -> (Self::Io, Self::Addr) {
		match self.handshaken.recv().await {
			Some(connection) => connection,
			// The accept loop ended (only when dropped): no more connections, ever.
			None => std::future::pending().await,
		}
	}

	fn local_addr(&self) -> std::io::Result<SocketAddr> {
		Ok(self.local)
	}
}
