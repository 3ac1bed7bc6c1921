//! 32-byte chain account ids (the runtime's `AccountId32`) as users and operators write them:
//! `0x` + 64 hex digits, or an SS58 address of any network prefix (checksum verified).

use serde::Deserialize;
use sp_core::crypto::{AccountId32, Ss58Codec};
use std::fmt;
use std::str::FromStr;
use tributary_primitives::hex;

/// A chain account id: the raw 32 bytes that `AccountId32` SCALE-encodes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Account(pub [u8; 32]);

impl FromStr for Account {
	type Err = String;

	fn from_str(text: &str) -> Result<Account, String> {
		if let Some(digits) = text.strip_prefix("0x") {
			return hex::decode_array::<32>(digits)
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
		f.write_str(&hex::encode_0x(&self.0))
	}
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
		let from_hex: Account = hex::encode_0x(&raw).parse().unwrap();
		assert_eq!(from_hex, Account(raw));
		let generic = AccountId32::from(raw).to_ss58check();
		assert_eq!(generic.parse::<Account>().unwrap(), Account(raw));
		let polkadot =
			AccountId32::from(raw).to_ss58check_with_version(Ss58AddressFormat::custom(0));
		assert_eq!(polkadot.parse::<Account>().unwrap(), Account(raw));
		assert_eq!(Account(raw).to_string(), hex::encode_0x(&raw));
	}

	#[test]
	fn malformed_accounts_are_refused_with_a_reason() {
		assert!("0x1234".parse::<Account>().unwrap_err().contains("64 hex digits"));
		assert!(format!("0x{}", "zz".repeat(32))
			.parse::<Account>()
			.unwrap_err()
			.contains("not a hex digit"));
		let mut address = AccountId32::from([7u8; 32]).to_ss58check();
		let last = address.pop().unwrap();
		address.push(if last == 'a' { 'b' } else { 'a' });
		assert!(address.parse::<Account>().unwrap_err().contains("SS58"));
	}
}
