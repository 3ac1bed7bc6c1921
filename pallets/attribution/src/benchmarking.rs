//! Benchmarks of every call in its worst case: full batches whose receipts are all accepted with
//! `MaxTopK` rows each, disputes that scan a worker set several times larger than
//! `MaxRecomputers`, the draw of `MaxRecomputers` recomputers from `w` workers, the deciding
//! recomputation that overturns a record (bond released, worker slashed, fee refunded), a proof of
//! a forged top over a body of `s` scores, and finalization of a record with `MaxTopK` rows.

use super::*;
use crate::Pallet as Attribution;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		EnsureOrigin, Get,
	},
	BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::{Bounded, One, Saturating};
use tributary_primitives::traits::OnRecordFinalized;
use tributary_primitives::{
	attribution::{
		AttributionClaim, AttributionMethod, RecordBody, RowRef, RowScore, PARTS_PER_BILLION,
	},
	content_hash,
	receipts::{InferenceReceipt, SignedReceipt},
	rewards::RecordId,
};

fn fund<T: Config>(who: &T::AccountId) {
	T::Currency::set_balance(who, BalanceOf::<T>::max_value() / 1024u32.into());
}

/// The workers for a benchmark: several times `MaxRecomputers`, so a draw scans a real list.
fn workers<T: Config>() -> Vec<T::AccountId> {
	workers_of::<T>(T::MaxRecomputers::get().saturating_mul(4).saturating_add(2))
}

fn workers_of<T: Config>(count: u32) -> Vec<T::AccountId> {
	let list = T::BenchmarkHelper::workers(count);
	list.iter().for_each(fund::<T>);
	list
}

/// Parameters with the most recomputers a dispute can draw.
fn most_recomputers<T: Config>() {
	Params::<T>::mutate(|params| params.recomputers = T::MaxRecomputers::get());
}

/// User number `user`'s signed receipt with `k` scored rows, served by `worker`, over a body of
/// hash `body`.
fn signed_receipt<T: Config>(
	user: u32,
	worker: &T::AccountId,
	k: u32,
	body: tributary_primitives::ContentHash,
) -> SignedReceiptOf<T> {
	let (model, version, adapter, rows) = T::BenchmarkHelper::model_version_with_rows(k);
	let share = PARTS_PER_BILLION.checked_div(k).unwrap_or(0);
	let top: Vec<RowScore> = rows
		.iter()
		.map(|row| RowScore { row: *row, parts_per_billion: share })
		.collect();
	let receipt = InferenceReceipt {
		model,
		version,
		adapter,
		prompt_hash: content_hash(b"benchmark prompt"),
		output_hash: content_hash(b"benchmark output"),
		tokens_in: 1_000,
		tokens_out: 1_000,
		max_fee: BalanceOf::<T>::max_value(),
		nonce: u64::from(user),
		worker: worker.clone(),
		expiry: frame_system::Pallet::<T>::block_number().saturating_add(1_000u32.into()),
	};
	let payload = receipt.signing_payload(&Attribution::<T>::genesis_hash());
	let (account, signature) = T::BenchmarkHelper::sign(user, &payload);
	fund::<T>(&account);
	SignedReceipt {
		receipt,
		user: account,
		signature,
		claim: AttributionClaim {
			method: AttributionMethod::Influence(
				tributary_primitives::attribution::InfluenceParams::DEFAULT,
			),
			top: top.try_into().expect("k ≤ MaxTopK"),
			body,
		},
	}
}

/// An accepted record with `k` scored rows; returns it and its worker.
fn record<T: Config>(k: u32) -> (RecordId, T::AccountId) {
	record_over::<T>(k, content_hash(b"benchmark body"))
}

fn record_over<T: Config>(
	k: u32,
	body: tributary_primitives::ContentHash,
) -> (RecordId, T::AccountId) {
	let worker = workers::<T>()[0].clone();
	let id = NextRecordId::<T>::get();
	let batch: ReceiptBatchOf<T> = vec![signed_receipt::<T>(0, &worker, k, body)]
		.try_into()
		.expect("MaxBatchSize ≥ 1");
	Attribution::<T>::do_submit_receipts(worker.clone(), batch).expect("worker");
	assert!(Records::<T>::contains_key(id), "the receipt was accepted");
	(id, worker)
}

/// A disputed record whose recomputers are drawn; returns it, the challenger and the
/// recomputers.
fn disputed_record<T: Config>() -> (RecordId, T::AccountId, Vec<T::AccountId>) {
	let (id, challenger) = undrawn_dispute::<T>();
	let draw_at = Disputes::<T>::get(id).unwrap().draw_at;
	frame_system::Pallet::<T>::set_block_number(draw_at);
	Attribution::<T>::draw_due(draw_at);
	let recomputers = Disputes::<T>::get(id).unwrap().recomputers.into_inner();
	(id, challenger, recomputers)
}

/// A disputed record whose recomputers are not drawn yet; returns it and the challenger.
fn undrawn_dispute<T: Config>() -> (RecordId, T::AccountId) {
	most_recomputers::<T>();
	let (id, _) = record::<T>(T::MaxTopK::get());
	let challenger: T::AccountId = account("challenger", 0, 0);
	fund::<T>(&challenger);
	Attribution::<T>::do_dispute(challenger.clone(), id, challenger_commitment())
		.expect("disputable");
	(id, challenger)
}

fn challenger_commitment() -> tributary_primitives::ContentHash {
	content_hash(b"challenger's recomputation")
}

fn ensure_pot_exists<T: Config>() {
	let pot = T::OnFinalized::fee_pot();
	if T::Currency::balance(&pot) < T::Currency::minimum_balance() {
		T::Currency::set_balance(&pot, T::Currency::minimum_balance());
	}
}

fn past<T: Config>(block: BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(block.saturating_add(One::one()));
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn submit_receipts(
		n: Linear<1, { T::MaxBatchSize::get() }>,
		k: Linear<0, { T::MaxTopK::get() }>,
	) {
		let worker = workers::<T>()[0].clone();
		let batch: ReceiptBatchOf<T> = (0..n)
			.map(|user| signed_receipt::<T>(user, &worker, k, content_hash(&user.to_le_bytes())))
			.collect::<Vec<_>>()
			.try_into()
			.expect("n ≤ MaxBatchSize");

		#[extrinsic_call]
		_(RawOrigin::Signed(worker), batch);

		assert_eq!(NextRecordId::<T>::get(), u64::from(n));
	}

	#[benchmark]
	fn dispute() {
		most_recomputers::<T>();
		let (id, _) = record::<T>(T::MaxTopK::get());
		let challenger: T::AccountId = account("challenger", 0, 0);
		fund::<T>(&challenger);

		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), id, challenger_commitment());

		assert_eq!(Records::<T>::get(id).unwrap().status, RecordStatus::Disputed);
	}

	#[benchmark]
	fn submit_recomputation() {
		let (id, _, recomputers) = disputed_record::<T>();
		let majority = recomputers.len() / 2 + 1;
		for recomputer in &recomputers[..majority - 1] {
			Attribution::<T>::do_submit_recomputation(
				recomputer.clone(),
				id,
				challenger_commitment(),
			)
			.expect("assigned recomputer");
		}
		let deciding = recomputers[majority - 1].clone();

		#[extrinsic_call]
		_(RawOrigin::Signed(deciding), id, challenger_commitment());

		assert_eq!(Records::<T>::get(id).unwrap().status, RecordStatus::Rejected);
	}

	#[benchmark]
	fn resolve_dispute() {
		let (id, challenger, _) = disputed_record::<T>();
		past::<T>(Disputes::<T>::get(id).unwrap().deadline);

		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), id);

		assert_eq!(Records::<T>::get(id).unwrap().status, RecordStatus::Upheld);
	}

	#[benchmark]
	fn draw_recomputers(w: Linear<{ T::MaxRecomputers::get() * 4 + 2 }, 64>) {
		let (id, _) = undrawn_dispute::<T>();
		workers_of::<T>(w);
		let draw_at = Disputes::<T>::get(id).unwrap().draw_at;
		frame_system::Pallet::<T>::set_block_number(draw_at);

		#[block]
		{
			Attribution::<T>::draw_due(draw_at);
		}

		assert!(!Disputes::<T>::get(id).unwrap().recomputers.is_empty());
	}

	#[benchmark]
	fn prove_top_mismatch(s: Linear<1, { T::MaxScores::get() }>) {
		let share = PARTS_PER_BILLION / s;
		let scores: Vec<RowScore> = (0..u64::from(s))
			.map(|row| RowScore {
				row: RowRef { datanet: u32::MAX, row },
				parts_per_billion: share,
			})
			.collect();
		let body = RecordBody {
			model: content_hash(b"base"),
			adapter: None,
			corpus: content_hash(b"corpus"),
			output: content_hash(b"output"),
			scores: BoundedVec::truncate_from(scores),
			top_k: T::MaxTopK::get(),
		};
		// The record claims a top of its own rows that the body does not give.
		let (id, _) = record_over::<T>(T::MaxTopK::get(), body.hash());
		let (_, challenger) = {
			let challenger: T::AccountId = account("challenger", 0, 0);
			fund::<T>(&challenger);
			Attribution::<T>::do_dispute(challenger.clone(), id, challenger_commitment())
				.expect("disputable");
			(id, challenger)
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(challenger), id, body);

		assert_eq!(Records::<T>::get(id).unwrap().status, RecordStatus::Rejected);
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let mut params = Params::<T>::get();
		params.recomputers = T::MaxRecomputers::get();
		let origin =
			T::ParamsOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn finalize(k: Linear<0, { T::MaxTopK::get() }>) {
		ensure_pot_exists::<T>();
		let (id, worker) = record::<T>(k);
		past::<T>(Records::<T>::get(id).unwrap().challenge_ends);

		#[extrinsic_call]
		_(RawOrigin::Signed(worker), id);

		assert_eq!(Records::<T>::get(id).unwrap().status, RecordStatus::Final);
	}

	impl_benchmark_test_suite!(Attribution, crate::mock::new_test_ext(), crate::mock::Test);
}
