//! JSON shapes of the `tributary_*` query results: hashes as 0x-hex, accounts as SS58, balances as
//! decimal strings (they exceed JavaScript's safe integers), names as UTF-8 text.

use pallet_attribution::{DisputeView, RecordStatus, RecordView};
use pallet_rewards::{RewardEntry, RewardParams, RewardRole, SlashRecord, UnattributedTo};
use serde::Serialize;
use sp_core::crypto::Ss58Codec;
use tributary_primitives::hex;
use tributary_primitives::{
	attribution::AttributionMethod,
	datanets::{DatanetView, RowId, VersionId, VersionInfo, Visibility},
	models::{JobState, JobView, ModelVersionView, PinnedDatanetVersion, TrainingResult},
	training::TrainingSettings,
};
use tributary_runtime::{AccountId, Balance, BlockNumber};

fn ss58(account: &AccountId) -> String {
	account.to_ss58check()
}

fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DatanetJson {
	pub owner: String,
	pub name: String,
	pub summary: String,
	pub description: String,
	pub tags: Vec<String>,
	pub license: String,
	/// "public" or "private".
	pub visibility: &'static str,
	pub curators: Vec<String>,
	pub creation_deposit: String,
	pub rows_contributed: u64,
	pub version_count: VersionId,
	pub approved_unpublished: u32,
}

impl From<DatanetView<AccountId, Balance>> for DatanetJson {
	fn from(view: DatanetView<AccountId, Balance>) -> Self {
		Self {
			owner: ss58(&view.owner),
			name: text(&view.name),
			summary: text(&view.summary),
			description: text(&view.description),
			tags: view.tags.iter().map(|tag| text(tag)).collect(),
			license: text(&view.license),
			visibility: match view.visibility {
				Visibility::Public => "public",
				Visibility::Private => "private",
			},
			curators: view.curators.iter().map(ss58).collect(),
			creation_deposit: view.creation_deposit.to_string(),
			rows_contributed: view.rows_contributed,
			version_count: view.version_count,
			approved_unpublished: view.approved_unpublished,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionJson {
	pub version: VersionId,
	pub merkle_root: String,
	pub row_count: u32,
	pub total_bytes: u64,
	pub publisher: String,
	pub fee: String,
	pub published_at: BlockNumber,
}

impl From<(VersionId, VersionInfo<AccountId, Balance, BlockNumber>)> for VersionJson {
	fn from((version, info): (VersionId, VersionInfo<AccountId, Balance, BlockNumber>)) -> Self {
		Self {
			version,
			merkle_root: hex::encode_0x(&info.merkle_root),
			row_count: info.row_count,
			total_bytes: info.total_bytes,
			publisher: ss58(&info.publisher),
			fee: info.fee.to_string(),
			published_at: info.published_at,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionRowJson {
	pub row: RowId,
	pub content_hash: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowRefJson {
	pub datanet: u32,
	pub row: RowId,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PinnedVersionJson {
	pub datanet: u32,
	pub version: VersionId,
	pub merkle_root: String,
	pub row_count: u32,
}

impl From<&PinnedDatanetVersion> for PinnedVersionJson {
	fn from(pinned: &PinnedDatanetVersion) -> Self {
		Self {
			datanet: pinned.datanet,
			version: pinned.version,
			merkle_root: hex::encode_0x(&pinned.merkle_root),
			row_count: pinned.row_count,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsJson {
	/// "lora", "qlora-nf4" or "qlora-int8".
	pub method: &'static str,
	pub rank: u32,
	pub alpha: u32,
	pub dropout_ppm: u32,
	/// Hugging Face module names, e.g. "q_proj".
	pub target_modules: Vec<&'static str>,
	pub learning_rate_ppb: u64,
	pub batch_size: u32,
	pub sequence_length: u32,
	pub epochs: u32,
	pub max_steps: u32,
	pub seed: u64,
	pub eval_fraction_ppm: u32,
	pub use_rslora: bool,
	pub use_dora: bool,
	pub eval_every_steps: u32,
	pub early_stopping_patience: u32,
	/// "auto", "stream" or "per_row".
	pub packing: &'static str,
	/// "truncate" or "window".
	pub overflow: &'static str,
	pub train_on_prompts: bool,
}

impl From<&TrainingSettings> for SettingsJson {
	fn from(settings: &TrainingSettings) -> Self {
		Self {
			method: settings.method.name(),
			rank: settings.rank,
			alpha: settings.alpha,
			dropout_ppm: settings.dropout_ppm,
			target_modules: settings.target_modules.iter().map(|m| m.hf_name()).collect(),
			learning_rate_ppb: settings.learning_rate_ppb,
			batch_size: settings.batch_size,
			sequence_length: settings.sequence_length,
			epochs: settings.epochs,
			max_steps: settings.max_steps,
			seed: settings.seed,
			eval_fraction_ppm: settings.eval_fraction_ppm,
			use_rslora: settings.use_rslora,
			use_dora: settings.use_dora,
			eval_every_steps: settings.eval_every_steps,
			early_stopping_patience: settings.early_stopping_patience,
			packing: settings.packing.name(),
			overflow: settings.overflow.name(),
			train_on_prompts: settings.train_on_prompts,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainingResultJson {
	pub adapter_hash: String,
	pub adapter_bytes: u64,
	pub train_loss_ppb: u64,
	pub eval_loss_ppb: u64,
}

impl From<&TrainingResult> for TrainingResultJson {
	fn from(result: &TrainingResult) -> Self {
		Self {
			adapter_hash: hex::encode_0x(&result.adapter_hash),
			adapter_bytes: result.adapter_bytes,
			train_loss_ppb: result.train_loss_ppb,
			eval_loss_ppb: result.eval_loss_ppb,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationJson {
	pub verifier: String,
	pub eval_loss_ppb: u64,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobJson {
	pub id: u64,
	pub model: u32,
	pub owner: String,
	pub base_model: u32,
	pub base_weights_hash: String,
	pub datanets: Vec<PinnedVersionJson>,
	pub settings: SettingsJson,
	pub fee: String,
	/// "open", "training", "verifying", "completed" or "failed".
	pub state: &'static str,
	pub attempt: u32,
	pub trainer: Option<String>,
	pub verifiers: Vec<String>,
	pub deadline: BlockNumber,
	pub result: Option<TrainingResultJson>,
	pub verifications: Vec<VerificationJson>,
}

impl From<JobView<AccountId, Balance, BlockNumber>> for JobJson {
	fn from(job: JobView<AccountId, Balance, BlockNumber>) -> Self {
		Self {
			id: job.id,
			model: job.model,
			owner: ss58(&job.owner),
			base_model: job.base_model,
			base_weights_hash: hex::encode_0x(&job.base_weights_hash),
			datanets: job.datanets.iter().map(Into::into).collect(),
			settings: (&job.settings).into(),
			fee: job.fee.to_string(),
			state: match job.state {
				JobState::Open => "open",
				JobState::Training => "training",
				JobState::Verifying => "verifying",
				JobState::Completed => "completed",
				JobState::Failed => "failed",
			},
			attempt: job.attempt,
			trainer: job.trainer.as_ref().map(ss58),
			verifiers: job.verifiers.iter().map(ss58).collect(),
			deadline: job.deadline,
			result: job.result.as_ref().map(Into::into),
			verifications: job
				.verifications
				.iter()
				.map(|(verifier, eval_loss_ppb)| VerificationJson {
					verifier: ss58(verifier),
					eval_loss_ppb: *eval_loss_ppb,
				})
				.collect(),
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelVersionJson {
	pub model: u32,
	pub version: u32,
	pub job: u64,
	pub base_model: u32,
	pub base_weights_hash: String,
	pub datanets: Vec<PinnedVersionJson>,
	pub settings: SettingsJson,
	pub result: TrainingResultJson,
	pub verified_eval_loss_ppb: u64,
	pub trainer: String,
	pub verifiers: Vec<String>,
	pub created_at: BlockNumber,
}

impl From<ModelVersionView<AccountId, BlockNumber>> for ModelVersionJson {
	fn from(version: ModelVersionView<AccountId, BlockNumber>) -> Self {
		Self {
			model: version.model,
			version: version.version,
			job: version.job,
			base_model: version.base_model,
			base_weights_hash: hex::encode_0x(&version.base_weights_hash),
			datanets: version.datanets.iter().map(Into::into).collect(),
			settings: (&version.settings).into(),
			result: (&version.result).into(),
			verified_eval_loss_ppb: version.verified_eval_loss_ppb,
			trainer: ss58(&version.trainer),
			verifiers: version.verifiers.iter().map(ss58).collect(),
			created_at: version.created_at,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowScoreJson {
	pub datanet: u32,
	pub row: RowId,
	pub parts_per_billion: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttributionRecordJson {
	pub id: u64,
	pub user: String,
	pub worker: String,
	pub model: u32,
	pub version: u32,
	pub fee: String,
	/// "suffix-span", "influence" or "rag".
	pub method: &'static str,
	pub top: Vec<RowScoreJson>,
	/// Hash of the record's body as the worker claimed it (what `prove_top_mismatch` reveals).
	pub body: String,
	/// Derived on chain from the method, `body` and `top`.
	pub commitment: String,
	pub submitted_at: BlockNumber,
	pub challenge_ends: BlockNumber,
	/// "pending", "disputed", "upheld", "final" or "rejected".
	pub status: &'static str,
}

impl From<RecordView<AccountId, Balance, BlockNumber>> for AttributionRecordJson {
	fn from(record: RecordView<AccountId, Balance, BlockNumber>) -> Self {
		Self {
			id: record.id,
			user: ss58(&record.user),
			worker: ss58(&record.worker),
			model: record.model,
			version: record.version,
			fee: record.fee.to_string(),
			method: match record.method {
				AttributionMethod::SuffixSpan(_) => "suffix-span",
				AttributionMethod::Influence(_) => "influence",
				AttributionMethod::Rag(_) => "rag",
			},
			top: record
				.top
				.iter()
				.map(|score| RowScoreJson {
					datanet: score.row.datanet,
					row: score.row.row,
					parts_per_billion: score.parts_per_billion,
				})
				.collect(),
			body: hex::encode_0x(&record.body),
			commitment: hex::encode_0x(&record.commitment),
			submitted_at: record.submitted_at,
			challenge_ends: record.challenge_ends,
			status: match record.status {
				RecordStatus::Pending => "pending",
				RecordStatus::Disputed => "disputed",
				RecordStatus::Upheld => "upheld",
				RecordStatus::Final => "final",
				RecordStatus::Rejected => "rejected",
			},
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisputeJson {
	pub record: u64,
	pub challenger: String,
	pub commitment: String,
	/// The block whose randomness draws the recomputers; `recomputers` is empty until then.
	pub draw_at: BlockNumber,
	pub recomputers: Vec<String>,
	pub recomputations: Vec<(String, String)>,
	/// Last block recomputers may submit in (set at the draw).
	pub deadline: BlockNumber,
}

impl From<DisputeView<AccountId, BlockNumber>> for DisputeJson {
	fn from(dispute: DisputeView<AccountId, BlockNumber>) -> Self {
		Self {
			record: dispute.record,
			challenger: ss58(&dispute.challenger),
			commitment: hex::encode_0x(&dispute.commitment),
			draw_at: dispute.draw_at,
			recomputers: dispute.recomputers.iter().map(ss58).collect(),
			recomputations: dispute
				.recomputations
				.iter()
				.map(|(worker, commitment)| (ss58(worker), hex::encode_0x(commitment)))
				.collect(),
			deadline: dispute.deadline,
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardEntryJson {
	pub record: u64,
	/// "model-owner", "contributor", "worker" or "treasury".
	pub role: &'static str,
	pub amount: String,
}

impl From<RewardEntry<Balance>> for RewardEntryJson {
	fn from(entry: RewardEntry<Balance>) -> Self {
		Self {
			record: entry.record,
			role: match entry.role {
				RewardRole::ModelOwner => "model-owner",
				RewardRole::Contributor => "contributor",
				RewardRole::Worker => "worker",
				RewardRole::Treasury => "treasury",
			},
			amount: entry.amount.to_string(),
		}
	}
}

/// Shares in parts per billion.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardParamsJson {
	pub model_owner_ppb: u32,
	pub contributors_ppb: u32,
	pub worker_ppb: u32,
	pub treasury_ppb: u32,
	/// "treasury" or "model-owner".
	pub unattributed_to: &'static str,
	pub penalty_threshold_ppb: u32,
	pub penalty_reduction_ppb: u32,
	pub slash_beneficiary_share_ppb: u32,
}

impl From<RewardParams> for RewardParamsJson {
	fn from(params: RewardParams) -> Self {
		Self {
			model_owner_ppb: params.model_owner.deconstruct(),
			contributors_ppb: params.contributors.deconstruct(),
			worker_ppb: params.worker.deconstruct(),
			treasury_ppb: params.treasury.deconstruct(),
			unattributed_to: match params.unattributed_to {
				UnattributedTo::Treasury => "treasury",
				UnattributedTo::ModelOwner => "model-owner",
			},
			penalty_threshold_ppb: params.penalty_threshold.deconstruct(),
			penalty_reduction_ppb: params.penalty_reduction.deconstruct(),
			slash_beneficiary_share_ppb: params.slash_beneficiary_share.deconstruct(),
		}
	}
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlashRecordJson {
	pub count: u32,
	pub total: String,
}

impl From<SlashRecord<Balance>> for SlashRecordJson {
	fn from(record: SlashRecord<Balance>) -> Self {
		Self { count: record.count, total: record.total.to_string() }
	}
}
