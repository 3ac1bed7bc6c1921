// Forwards the browser's sidecar requests. The worker sidecar sends no CORS headers (nothing in
// offchain-workers/worker/src/api sets Access-Control-*), so a page served from Vite cannot call
// it directly. The page instead calls `/sidecar-proxy/<path>` on its own origin and names the
// sidecar in the `x-sidecar-target` header; the target comes from the settings panel, so it can
// change without restarting Vite. Only loopback targets are forwarded: this is a development
// server, and an open relay to arbitrary hosts would be a hazard.
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

export const PROXY_PREFIX = '/sidecar-proxy';
export const TARGET_HEADER = 'x-sidecar-target';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The loopback sidecar URL a request names, or an error message. */
export function parseTarget(header: string | string[] | undefined): URL | string {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return `missing ${TARGET_HEADER} header`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${TARGET_HEADER} is not a URL: ${value}`;
  }
  if (url.protocol !== 'http:') return `only http:// sidecars are proxied, not ${url.protocol}`;
  if (!LOOPBACK_HOSTS.has(url.hostname)) return `only loopback sidecars are proxied, not ${url.hostname}`;
  return url;
}

function forward(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (!req.url?.startsWith(PROXY_PREFIX + '/')) return next();
  const target = parseTarget(req.headers[TARGET_HEADER]);
  if (typeof target === 'string') {
    res.statusCode = 400;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ error: { message: target, type: 'studio_proxy', code: 'bad_target' } }));
    return;
  }
  const path = req.url.slice(PROXY_PREFIX.length);
  const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
  delete headers[TARGET_HEADER];
  delete headers.origin;
  delete headers.referer;
  const upstream = httpRequest(
    { hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port || 80, method: req.method, path, headers },
    (answer) => {
      // Piped as it arrives, so server-sent events reach the page token by token.
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) return res.destroy(error);
    res.statusCode = 502;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        error: { message: `sidecar ${target.origin} unreachable: ${error.message}`, type: 'studio_proxy', code: 'unreachable' },
      }),
    );
  });
  // A page that stops reading (a cancelled chat) closes the upstream request too.
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}

export function sidecarProxy(): Plugin {
  return {
    name: 'tributary-sidecar-proxy',
    configureServer(server) {
      server.middlewares.use(forward);
    },
    configurePreviewServer(server) {
      server.middlewares.use(forward);
    },
  };
}
