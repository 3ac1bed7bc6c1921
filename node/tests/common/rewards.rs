//! Balances, claims and the fee split, computed independently of pallet-rewards from the
//! documented formula, for tests that check payouts to the last unit.

use codec::Decode;
use serde_json::{json, Value};
use sp_io::hashing;
use tributary_primitives::attribution::PARTS_PER_BILLION;
use tributary_primitives::hex;
use tributary_runtime::{configs::TreasuryAccount, AccountId, Balance, RuntimeEvent};

use super::Node;

pub fn ss58(who: &AccountId) -> String {
	who.to_string()
}
/// `pallet_balances` account data (free and reserved, holds included in reserved) at the best
/// block, straight from `System::Account`.
pub fn account_data(node: &Node, who: &AccountId) -> pallet_balances::AccountData<Balance> {
	account_data_at(node, who, &Value::Null)
}

/// [`account_data`] in the state of block `block_hash` (the best block for `null`).
pub fn account_data_at(
	node: &Node,
	who: &AccountId,
	block_hash: &Value,
) -> pallet_balances::AccountData<Balance> {
	let mut key = hashing::twox_128(b"System").to_vec();
	key.extend(hashing::twox_128(b"Account"));
	let raw: &[u8] = who.as_ref();
	key.extend(hashing::blake2_128(raw));
	key.extend_from_slice(raw);
	match node.rpc("state_getStorage", json!([hex::encode_0x(&key), block_hash])).as_str() {
		None => Default::default(),
		Some(hex) => {
			frame_system::AccountInfo::<
				tributary_runtime::Nonce,
				pallet_balances::AccountData<Balance>,
			>::decode(&mut &hex::decode(hex).expect("hex")[..])
			.expect("AccountInfo decodes")
			.data
		},
	}
}

/// How much `who`'s free balance grew from block `from` to block `to`; for the treasury, less the
/// transaction fees (with tips) paid in the blocks between, which it receives.
pub fn balance_growth(node: &Node, who: &AccountId, from: u64, to: u64) -> Balance {
	let free_at = |number: u64| {
		account_data_at(node, who, &node.rpc("chain_getBlockHash", json!([number]))).free
	};
	let growth = free_at(to) - free_at(from);
	if *who != TreasuryAccount::get() {
		return growth;
	}
	let fees: Balance = (from + 1..=to)
		.flat_map(|number| node.events_at(&node.rpc("chain_getBlockHash", json!([number]))))
		.filter_map(|record| match record.event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, .. },
			) => Some(actual_fee),
			_ => None,
		})
		.sum();
	growth - fees
}

pub fn balance_string(value: &Value) -> Balance {
	value
		.as_str()
		.unwrap_or_else(|| panic!("{value} is a decimal string"))
		.parse()
		.expect("decimal balance")
}

pub fn claimable(node: &Node, who: &AccountId) -> Balance {
	balance_string(&node.rpc("tributary_claimable", json!([ss58(who)])))
}

/// Shares of the fee split in parts per billion, as `tributary_rewardParams` reports them.
pub struct Shares {
	pub owner: u32,
	pub contributors: u32,
	pub worker: u32,
	pub treasury: u32,
}

impl Shares {
	/// The shares in force at the best block.
	pub fn in_force(node: &Node) -> Shares {
		let params = node.rpc("tributary_rewardParams", json!([]));
		let ppb = |name: &str| {
			params[name].as_u64().unwrap_or_else(|| panic!("{name} in {params}")) as u32
		};
		Shares {
			owner: ppb("modelOwnerPpb"),
			contributors: ppb("contributorsPpb"),
			worker: ppb("workerPpb"),
			treasury: ppb("treasuryPpb"),
		}
	}
}

/// `floor(amount × ppb / 10⁹)`: what `Perbill::mul_floor` computes.
pub fn part(amount: Balance, ppb: u32) -> Balance {
	amount * Balance::from(ppb) / Balance::from(PARTS_PER_BILLION)
}

#[derive(Debug, PartialEq, Eq)]
pub struct ExpectedSplit {
	pub owner: Balance,
	pub worker: Balance,
	pub treasury: Balance,
	/// Each scored contributor's reward, in the order of the record's scores.
	pub contributors: Vec<(AccountId, Balance)>,
	pub unattributed: Balance,
	pub dust: Balance,
}

impl ExpectedSplit {
	pub fn compute(fee: Balance, shares: &Shares, scored: &[(AccountId, u32)]) -> ExpectedSplit {
		let owner = part(fee, shares.owner);
		let worker = part(fee, shares.worker);
		let treasury = part(fee, shares.treasury);
		let pool = part(fee, shares.contributors);
		let contributors: Vec<(AccountId, Balance)> =
			scored.iter().map(|(who, ppb)| (who.clone(), part(pool, *ppb))).collect();
		let scored_ppb: u32 = scored.iter().map(|(_, ppb)| *ppb).sum();
		let unattributed = part(pool, PARTS_PER_BILLION - scored_ppb);
		let contributors_total: Balance = contributors.iter().map(|(_, amount)| amount).sum();
		let dust = fee - owner - worker - treasury - contributors_total - unattributed;
		ExpectedSplit { owner, worker, treasury, contributors, unattributed, dust }
	}

	pub fn paid(&self) -> Balance {
		self.owner
			+ self.worker
			+ self.treasury
			+ self.unattributed
			+ self.contributors.iter().map(|(_, amount)| amount).sum::<Balance>()
	}
}
