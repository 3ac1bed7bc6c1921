//! 32-byte chain account ids (the runtime's `AccountId32`) as users and operators write them:
//! `0x` + 64 hex digits, or an SS58 address of any network prefix (checksum verified).

use serde::Deserialize;
use sp_core::crypto::{AccountId32, Ss58Codec};
use std::fmt;
use std::str::FromStr;

/// A chain account id: the raw 32 bytes that `AccountId32` SCALE-encodes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Account(pub [u8; 32]);

impl FromStr for Account {
	type Err = String;

	fn from_str(text: &str) -> Result<Account, String> {
		if let Some(digits) = text.strip_prefix("0x") {
			return parse_hex::<32>(digits)
				.map(Account)
				.map_err(|reason| format!("account {text:?}: {reason}"));
		}
		AccountId32::from_ss58check(text).map(|id| Account(id.into())).map_err(|e| {
			format!("account {text:?} is neither 0x-prefixed 32-byte hex nor a valid SS58 address ({e:?})")
		})
	}
}

impl TryFrom<String> for Account {
	type Error = String;

	fn try_from(text: String) -> Result<Account, String> {
		text.parse()
	}
}

impl fmt::Display for Account {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str(&hex0x(&self.0))
	}
}

/// `0x` followed by lowercase hex: how the chain's tools print bytes.
pub fn hex0x(bytes: &[u8]) -> String {
	let mut text = String::with_capacity(2 + 2 * bytes.len());
	text.push_str("0x");
	for byte in bytes {
		text.push_str(&format!("{byte:02x}"));
	}
	text
}

/// Exactly `N` bytes from `2N` hex digits (no prefix).
pub fn parse_hex<const N: usize>(digits: &str) -> Result<[u8; N], String> {
	if digits.len() != 2 * N || !digits.is_ascii() {
		return Err(format!("expected {} hex digits, got {} characters", 2 * N, digits.len()));
	}
	let mut bytes = [0u8; N];
	for (i, byte) in bytes.iter_mut().enumerate() {
		*byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
			.map_err(|_| format!("{:?} is not a hex byte", &digits[2 * i..2 * i + 2]))?;
	}
	Ok(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::crypto::Ss58AddressFormat;
	use sp_core::{sr25519, Pair};

	#[test]
	fn hex_and_ss58_name_the_same_account() {
		let public = sr25519::Pair::from_string("//Ferdie", None).unwrap().public();
		let raw: [u8; 32] = public.0;
		let from_hex: Account = hex0x(&raw).parse().unwrap();
		assert_eq!(from_hex, Account(raw));
		let generic = AccountId32::from(raw).to_ss58check();
		assert_eq!(generic.parse::<Account>().unwrap(), Account(raw));
		let polkadot =
			AccountId32::from(raw).to_ss58check_with_version(Ss58AddressFormat::custom(0));
		assert_eq!(polkadot.parse::<Account>().unwrap(), Account(raw));
		assert_eq!(Account(raw).to_string(), hex0x(&raw));
	}

	#[test]
	fn malformed_accounts_are_refused_with_a_reason() {
		assert!("0x1234".parse::<Account>().unwrap_err().contains("64 hex digits"));
		assert!(format!("0x{}", "zz".repeat(32))
			.parse::<Account>()
			.unwrap_err()
			.contains("not a hex byte"));
		let mut address = AccountId32::from([7u8; 32]).to_ss58check();
		let last = address.pop().unwrap();
		address.push(if last == 'a' { 'b' } else { 'a' });
		assert!(address.parse::<Account>().unwrap_err().contains("SS58"));
	}
}
