//! Referenda as token holders run them from polkadot.js: a proposer notes the call's preimage,
//! submits it on the track of the origin it needs and places the decision deposit; voters vote
//! aye with conviction; the scheduler enacts it once it is confirmed.

use std::time::Duration;

use codec::{Decode, Encode};
use pallet_conviction_voting::{AccountVote, Conviction, Vote};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::{BlakeTwo256, Hash};
use tributary_primitives::hex;
use tributary_runtime::{
	configs::parameters::RuntimeParametersKey, OriginCaller, Runtime, RuntimeCall, RuntimeEvent,
};

use super::{calls::signed, Node};

/// The accounts that propose and vote in the tests: the funded dev stashes, which nothing else
/// in the tests spends from, so their locks and deposits disturb no balance a test checks. With
/// 900 000 TRIB each they are about 45 % of the issuance: enough support on every track.
pub const VOTERS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::AliceStash,
	Sr25519Keyring::BobStash,
	Sr25519Keyring::CharlieStash,
	Sr25519Keyring::DaveStash,
	Sr25519Keyring::EveStash,
	Sr25519Keyring::FerdieStash,
];
const VOTE: tributary_runtime::Balance = 900_000 * tributary_runtime::UNIT;

/// The id under which the referenda pallet schedules referendum `index`'s enactment.
fn enactment_id(index: u32) -> [u8; 32] {
	(*b"assembly", "enactment", index).using_encoded(sp_io::hashing::blake2_256)
}

/// Notes `call`'s preimage, submits it for `origin`'s track and places the decision deposit, all
/// signed by `proposer` in one batch; the referendum's index.
pub fn propose(
	node: &Node,
	proposer: Sr25519Keyring,
	origin: OriginCaller,
	call: RuntimeCall,
) -> u32 {
	let encoded = call.encode();
	let proposal = frame_support::traits::Bounded::Lookup {
		hash: BlakeTwo256::hash(&encoded),
		len: encoded.len() as u32,
	};
	let submit = |index| {
		RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![
				RuntimeCall::Preimage(pallet_preimage::Call::note_preimage {
					bytes: encoded.clone(),
				}),
				RuntimeCall::Referenda(pallet_referenda::Call::submit {
					proposal_origin: Box::new(origin.clone()),
					proposal: proposal.clone(),
					enactment_moment: frame_support::traits::schedule::DispatchTime::After(0),
				}),
				RuntimeCall::Referenda(pallet_referenda::Call::place_decision_deposit { index }),
			],
		})
	};
	// The index the submission gets is the referendum count when it lands; a concurrent
	// submission would take it first, so the tests propose one after another.
	let events = node
		.apply(&signed(node, proposer, submit(referendum_count(node))))
		.unwrap_or_else(|error| panic!("proposing {call:?} failed: {error:?}"));
	events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Referenda(pallet_referenda::Event::Submitted { index, .. }) => {
				Some(*index)
			},
			_ => None,
		})
		.expect("the submission emits Submitted")
}

/// Proposes `call` on the track of `origin` and has every one of [`VOTERS`] vote aye; the
/// referendum's index, for [`wait_enacted`].
pub fn decide(node: &Node, origin: impl Into<OriginCaller>, call: RuntimeCall) -> u32 {
	let index = propose(node, VOTERS[0], origin.into(), call);
	vote_aye(node, &[index]);
	index
}

/// `Referenda::ReferendumCount` at the best block.
fn referendum_count(node: &Node) -> u32 {
	let key = pallet_referenda::ReferendumCount::<Runtime>::hashed_key();
	let value = node.rpc("state_getStorage", serde_json::json!([hex::encode_0x(&key)]));
	value
		.as_str()
		.map_or(0, |value| u32::decode(&mut &hex::decode(value).expect("hex")[..]).expect("a u32"))
}

/// Every one of [`VOTERS`] votes aye on each of `referenda` with 1x conviction (one batch per
/// voter, all in the same blocks); returns once every vote has landed.
pub fn vote_aye(node: &Node, referenda: &[u32]) {
	let ballots: Vec<String> = VOTERS
		.iter()
		.map(|voter| {
			let votes = referenda
				.iter()
				.map(|&poll_index| {
					RuntimeCall::ConvictionVoting(pallet_conviction_voting::Call::vote {
						poll_index,
						vote: AccountVote::Standard {
							vote: Vote { aye: true, conviction: Conviction::Locked1x },
							balance: VOTE,
						},
					})
				})
				.collect();
			let ballot = signed(
				node,
				*voter,
				RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: votes }),
			);
			node.submit(&ballot)
				.unwrap_or_else(|e| panic!("{voter:?}'s votes refused: {e}"));
			hex::encode_0x(&ballot.encode())
		})
		.collect();
	for ballot in &ballots {
		node.wait_until("a voter's ballot is included", Duration::from_secs(60), || {
			node.block_containing(ballot, 5)
		});
	}
}

/// Waits until referendum `index` is enacted (its call dispatched by the scheduler), looking at
/// the blocks from `from` on, and returns the block it was enacted in; panics if the call failed
/// or nothing happened within `timeout`.
pub fn wait_enacted(node: &Node, index: u32, from: u64, timeout: Duration) -> u64 {
	let id = enactment_id(index);
	let mut next = from;
	node.wait_until(&format!("referendum {index} is enacted"), timeout, || {
		let best = node.best_number();
		let enacted = (next..=best).find(|&number| {
			let hash = node.rpc("chain_getBlockHash", serde_json::json!([number]));
			node.events_at(&hash).into_iter().any(|record| match record.event {
				RuntimeEvent::Scheduler(pallet_scheduler::Event::Dispatched {
					id: Some(dispatched),
					result,
					..
				}) if dispatched == id => {
					assert!(result.is_ok(), "referendum {index}'s call failed: {result:?}");
					true
				},
				_ => false,
			})
		});
		next = best + 1;
		enacted
	})
}

/// A runtime parameter at the best block: `read` (the parameter's `Get`, e.g.
/// `<Runtime as pallet_attribution::Config>::WorkerSlash::get`) evaluated over the chain's stored
/// value of `key`, so it is what `parameters.setParameter` set or else the default.
pub fn parameter<T>(node: &Node, key: RuntimeParametersKey, read: impl FnOnce() -> T) -> T {
	let storage_key = pallet_parameters::Parameters::<Runtime>::hashed_key_for(&key);
	let mut chain = sp_io::TestExternalities::default();
	let stored = node.rpc("state_getStorage", serde_json::json!([hex::encode_0x(&storage_key)]));
	if let Some(value) = stored.as_str() {
		chain.insert(storage_key, hex::decode(value).expect("hex"));
	}
	chain.execute_with(read)
}
