//! Inference receipts of the worker sidecar.
//!
//! - [`book`]: receipts awaiting the user's signature, then the chain, persisted; the chain's
//!   genesis hash and attribution methods as its off-chain worker names them.
//! - [`account`]: chain accounts as users write them (hex or SS58).

pub mod account;
pub mod book;

pub use account::Account;
pub use book::{ReceiptBook, ReceiptError};
