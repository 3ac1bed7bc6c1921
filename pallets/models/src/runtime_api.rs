//! Runtime API the node's RPC and the worker use to read jobs and models. The runtime implements
//! it by calling the pallet's query functions (`jobs_for_worker`, `job_view`, `model_versions`).

use alloc::vec::Vec;
use codec::Codec;
use tributary_primitives::models::{JobId, JobView, ModelId, ModelVersionView};

sp_api::decl_runtime_apis! {
	pub trait ModelsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// Active jobs of a worker (as trainer or verifier).
		fn jobs_for_worker(worker: AccountId) -> Vec<JobId>;
		/// A job with its state, assignment, result and verifications.
		fn job(job: JobId) -> Option<JobView<AccountId, Balance, BlockNumber>>;
		/// All versions of a model with their lineage, oldest first.
		fn model_versions(model: ModelId) -> Vec<ModelVersionView<AccountId, BlockNumber>>;
	}
}
