//! pallet-revive-eth-rpc's build script writes `revive_dev_runtime::Runtime`'s metadata to a file
//! from which its typed chain client (subxt) is generated. Parity's `revive-dev-runtime` is a
//! minimal runtime of its own; in its place this crate names Tributary's runtime, so the client
//! is generated against the metadata of the chain it serves, and no second runtime (with
//! polkadot-runtime-common behind it) is compiled.

pub use tributary_runtime::Runtime;
