//! Fine-tune settings shared by `pallet-models` (which stores them in a job) and the worker's
//! trainer (which runs the job with exactly these numbers).
//!
//! Every fractional setting is fixed-point so the settings encode identically on every node and
//! never depend on float formatting.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// How the frozen base weights are stored while a QLoRA adapter is trained on top of them.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum QuantFormat {
	/// 4-bit NormalFloat, absmax-scaled in blocks of 64 weights.
	Nf4,
	/// Symmetric 8-bit integers with one absmax scale per output channel.
	Int8,
}

/// Fine-tuning method.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum TrainingMethod {
	/// Low-rank adapters over full-precision frozen base weights.
	Lora,
	/// Low-rank adapters over quantized frozen base weights.
	QLora(QuantFormat),
}

impl TrainingMethod {
	/// Every method, in the order of [`TrainingMethod::name`]s listed to users.
	pub const ALL: [TrainingMethod; 3] = [
		TrainingMethod::Lora,
		TrainingMethod::QLora(QuantFormat::Nf4),
		TrainingMethod::QLora(QuantFormat::Int8),
	];

	/// The method's name in JSON (the sidecar's job API, the node's RPC, the studio).
	pub fn name(self) -> &'static str {
		match self {
			TrainingMethod::Lora => "lora",
			TrainingMethod::QLora(QuantFormat::Nf4) => "qlora-nf4",
			TrainingMethod::QLora(QuantFormat::Int8) => "qlora-int8",
		}
	}

	/// The method named `name`, if any.
	pub fn from_name(name: &str) -> Option<TrainingMethod> {
		Self::ALL.into_iter().find(|method| method.name() == name)
	}
}

/// A projection of a Llama-architecture decoder layer that can carry a LoRA adapter.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum TargetModule {
	Q,
	K,
	V,
	O,
	Gate,
	Up,
	Down,
}

impl TargetModule {
	/// All modules, in the order of their bits in [`TargetModules`].
	pub const ALL: [TargetModule; 7] = [
		TargetModule::Q,
		TargetModule::K,
		TargetModule::V,
		TargetModule::O,
		TargetModule::Gate,
		TargetModule::Up,
		TargetModule::Down,
	];

	/// The module's name in Hugging Face checkpoints and PEFT configs (`q_proj`, ...).
	pub fn hf_name(self) -> &'static str {
		match self {
			TargetModule::Q => "q_proj",
			TargetModule::K => "k_proj",
			TargetModule::V => "v_proj",
			TargetModule::O => "o_proj",
			TargetModule::Gate => "gate_proj",
			TargetModule::Up => "up_proj",
			TargetModule::Down => "down_proj",
		}
	}

	/// Inverse of [`TargetModule::hf_name`].
	pub fn from_hf_name(name: &str) -> Option<TargetModule> {
		Self::ALL.into_iter().find(|m| m.hf_name() == name)
	}

	fn bit(self) -> u8 {
		1 << (self as u8)
	}
}

/// A set of target modules, one bit per [`TargetModule`], so a job's settings have a fixed size.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct TargetModules(pub u8);

impl TargetModules {
	/// Every projection of attention and MLP.
	pub const ALL: TargetModules = TargetModules(0b0111_1111);
	/// The query and value projections (the original LoRA paper's choice).
	pub const QV: TargetModules = TargetModules(0b0000_0101);

	pub fn contains(self, module: TargetModule) -> bool {
		self.0 & module.bit() != 0
	}

	pub fn with(self, module: TargetModule) -> TargetModules {
		TargetModules(self.0 | module.bit())
	}

	pub fn is_empty(self) -> bool {
		self.0 & Self::ALL.0 == 0
	}

	/// The modules in the set, in [`TargetModule::ALL`] order.
	pub fn iter(self) -> impl Iterator<Item = TargetModule> {
		TargetModule::ALL.into_iter().filter(move |m| self.contains(*m))
	}
}

/// How a job's rows become training windows.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Packing {
	/// [`Packing::PerRow`] when any row of a split is an instruction or chat row, else
	/// [`Packing::Stream`].
	#[default]
	Auto,
	/// All rows as one token stream cut into windows: no padding, but attention crosses rows.
	Stream,
	/// Each row its own sequence, right-padded in a batch: attention never crosses rows.
	PerRow,
}

impl Packing {
	pub const ALL: [Packing; 3] = [Packing::Auto, Packing::Stream, Packing::PerRow];

	/// The packing's name in JSON and on the trainer's command line.
	pub fn name(self) -> &'static str {
		match self {
			Packing::Auto => "auto",
			Packing::Stream => "stream",
			Packing::PerRow => "per_row",
		}
	}

	pub fn from_name(name: &str) -> Option<Packing> {
		Self::ALL.into_iter().find(|packing| packing.name() == name)
	}
}

/// What a row longer than the sequence becomes when rows are packed one per sequence.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Overflow {
	/// Its first `sequence_length + 1` tokens (what SFT trainers do: the reply keeps its prompt).
	#[default]
	Truncate,
	/// All its tokens, in windows overlapping by one token as a stream is cut (nothing dropped,
	/// but later windows lose the prompt).
	Window,
}

impl Overflow {
	pub const ALL: [Overflow; 2] = [Overflow::Truncate, Overflow::Window];

	/// The overflow's name in JSON and on the trainer's command line.
	pub fn name(self) -> &'static str {
		match self {
			Overflow::Truncate => "truncate",
			Overflow::Window => "window",
		}
	}

	pub fn from_name(name: &str) -> Option<Overflow> {
		Self::ALL.into_iter().find(|overflow| overflow.name() == name)
	}
}

/// One part in a million: the unit of `dropout_ppm` and `eval_fraction_ppm`.
pub const PPM: u32 = 1_000_000;
/// One part in a billion: the unit of `learning_rate_ppb` (2e-4 is 200_000).
pub const PPB: u64 = 1_000_000_000;

/// The settings of a fine-tune job, as the builder chose them and the chain stores them.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct TrainingSettings {
	pub method: TrainingMethod,
	/// LoRA rank r.
	pub rank: u32,
	/// LoRA alpha; the adapter's output is scaled by alpha / r.
	pub alpha: u32,
	/// Dropout on the adapter's input, in parts per million.
	pub dropout_ppm: u32,
	pub target_modules: TargetModules,
	/// Peak learning rate, in parts per billion.
	pub learning_rate_ppb: u64,
	/// Sequences per optimizer step.
	pub batch_size: u32,
	/// Tokens per packed training sequence.
	pub sequence_length: u32,
	/// Passes over the training split.
	pub epochs: u32,
	/// Upper bound on optimizer steps; 0 means epochs alone decide.
	pub max_steps: u32,
	/// Seed of adapter initialisation, dropout and batch order.
	pub seed: u64,
	/// Share of rows held out for evaluation (chosen by row hash), in parts per million.
	pub eval_fraction_ppm: u32,
	/// rsLoRA: the update is scaled by alpha / √r instead of alpha / r (PEFT's `use_rslora`).
	pub use_rslora: bool,
	/// DoRA: each output row's magnitude is learned apart from its direction (PEFT's `use_dora`).
	pub use_dora: bool,
	/// Evaluate on the held-out rows every this many optimizer steps; 0: only before and after.
	pub eval_every_steps: u32,
	/// Stop once this many evaluations in a row have not lowered the held-out loss and keep the
	/// adapter of the best one; 0: never stop early. Needs `eval_every_steps`.
	pub early_stopping_patience: u32,
	/// How rows become windows.
	pub packing: Packing,
	/// What a row longer than the sequence becomes when packed per row.
	pub overflow: Overflow,
	/// Count instruction and chat rows' prompts in the loss too, not only their replies.
	pub train_on_prompts: bool,
}

/// Largest LoRA rank a job may ask for.
pub const MAX_LORA_RANK: u32 = 1024;

/// Why [`TrainingSettings::validate`] refused settings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SettingsError {
	RankOutOfRange,
	ZeroAlpha,
	DropoutNotBelowOne,
	NoTargetModules,
	UnknownTargetModule,
	ZeroLearningRate,
	ZeroBatchSize,
	/// A training window needs an input token and the token it predicts.
	SequenceTooShort,
	ZeroEpochs,
	EvalFractionOutOfRange,
	/// Early stopping counts evaluations, so it needs periodic ones.
	PatienceWithoutEvaluations,
}

impl core::fmt::Display for SettingsError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		f.write_str(match self {
			SettingsError::RankOutOfRange => "rank must be between 1 and 1024",
			SettingsError::ZeroAlpha => "alpha must be at least 1",
			SettingsError::DropoutNotBelowOne => {
				"dropout_ppm must be below 1000000 (dropout below 1)"
			},
			SettingsError::NoTargetModules => "target_modules must name at least one module",
			SettingsError::UnknownTargetModule => "target_modules names an unknown module",
			SettingsError::ZeroLearningRate => "learning_rate_ppb must be positive",
			SettingsError::ZeroBatchSize => "batch_size must be at least 1",
			SettingsError::SequenceTooShort => {
				"sequence_length must be at least 2 (an input token and the token it predicts)"
			},
			SettingsError::ZeroEpochs => {
				"epochs must be at least 1 (max_steps, when positive, caps the steps)"
			},
			SettingsError::EvalFractionOutOfRange => {
				"eval_fraction_ppm must be strictly between 0 and 1000000"
			},
			SettingsError::PatienceWithoutEvaluations => {
				"early_stopping_patience needs eval_every_steps of at least 1"
			},
		})
	}
}

impl TrainingSettings {
	/// The one check of a job's settings, made by the chain when a job is created and by the
	/// trainer before it runs one, so that every job the chain accepts can be trained: rank in
	/// `1..=MAX_LORA_RANK`, alpha ≥ 1, dropout < 1, a non-empty set of known target modules, a
	/// positive learning rate and batch size, windows of at least 2 tokens, at least one epoch
	/// (`max_steps`, when positive, caps the steps), `0 < eval fraction < 1`, and periodic
	/// evaluations when early stopping is on.
	pub fn validate(&self) -> Result<(), SettingsError> {
		if self.rank == 0 || self.rank > MAX_LORA_RANK {
			return Err(SettingsError::RankOutOfRange);
		}
		if self.alpha == 0 {
			return Err(SettingsError::ZeroAlpha);
		}
		if self.dropout_ppm >= PPM {
			return Err(SettingsError::DropoutNotBelowOne);
		}
		if self.target_modules.is_empty() {
			return Err(SettingsError::NoTargetModules);
		}
		if self.target_modules.0 & !TargetModules::ALL.0 != 0 {
			return Err(SettingsError::UnknownTargetModule);
		}
		if self.learning_rate_ppb == 0 {
			return Err(SettingsError::ZeroLearningRate);
		}
		if self.batch_size == 0 {
			return Err(SettingsError::ZeroBatchSize);
		}
		if self.sequence_length < 2 {
			return Err(SettingsError::SequenceTooShort);
		}
		if self.epochs == 0 {
			return Err(SettingsError::ZeroEpochs);
		}
		if self.eval_fraction_ppm == 0 || self.eval_fraction_ppm >= PPM {
			return Err(SettingsError::EvalFractionOutOfRange);
		}
		if self.early_stopping_patience > 0 && self.eval_every_steps == 0 {
			return Err(SettingsError::PatienceWithoutEvaluations);
		}
		Ok(())
	}

	pub fn learning_rate(&self) -> f64 {
		self.learning_rate_ppb as f64 / PPB as f64
	}

	pub fn dropout(&self) -> f64 {
		self.dropout_ppm as f64 / PPM as f64
	}

	pub fn eval_fraction(&self) -> f64 {
		self.eval_fraction_ppm as f64 / PPM as f64
	}
}

impl Default for TrainingSettings {
	fn default() -> Self {
		TrainingSettings {
			method: TrainingMethod::Lora,
			rank: 8,
			alpha: 16,
			dropout_ppm: 50_000,
			target_modules: TargetModules::ALL,
			learning_rate_ppb: 2_000_000,
			batch_size: 8,
			sequence_length: 128,
			epochs: 1,
			max_steps: 0,
			seed: 0,
			eval_fraction_ppm: 100_000,
			use_rslora: false,
			use_dora: false,
			eval_every_steps: 0,
			early_stopping_patience: 0,
			packing: Packing::Auto,
			overflow: Overflow::Truncate,
			train_on_prompts: false,
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use codec::{Decode, Encode};

	#[test]
	fn names_round_trip() {
		for method in TrainingMethod::ALL {
			assert_eq!(TrainingMethod::from_name(method.name()), Some(method));
		}
		assert_eq!(TrainingMethod::from_name("qlora"), None);
		for packing in Packing::ALL {
			assert_eq!(Packing::from_name(packing.name()), Some(packing));
		}
		assert_eq!(Packing::from_name("per-row"), None);
		for overflow in Overflow::ALL {
			assert_eq!(Overflow::from_name(overflow.name()), Some(overflow));
		}
	}

	#[test]
	fn settings_validation_accepts_bounds_and_names_each_violation() {
		let valid = TrainingSettings::default;
		assert_eq!(valid().validate(), Ok(()));
		let at_bounds = TrainingSettings {
			rank: MAX_LORA_RANK,
			alpha: 1,
			dropout_ppm: PPM - 1,
			target_modules: TargetModules::ALL,
			learning_rate_ppb: 1,
			batch_size: 1,
			sequence_length: 2,
			epochs: 1,
			eval_fraction_ppm: 1,
			use_rslora: true,
			use_dora: true,
			eval_every_steps: 1,
			early_stopping_patience: 1,
			packing: Packing::PerRow,
			overflow: Overflow::Window,
			train_on_prompts: true,
			..valid()
		};
		assert_eq!(at_bounds.validate(), Ok(()));
		let cases = [
			(TrainingSettings { rank: 0, ..valid() }, SettingsError::RankOutOfRange),
			(
				TrainingSettings { rank: MAX_LORA_RANK + 1, ..valid() },
				SettingsError::RankOutOfRange,
			),
			(TrainingSettings { alpha: 0, ..valid() }, SettingsError::ZeroAlpha),
			(TrainingSettings { dropout_ppm: PPM, ..valid() }, SettingsError::DropoutNotBelowOne),
			(
				TrainingSettings { target_modules: TargetModules(0), ..valid() },
				SettingsError::NoTargetModules,
			),
			(
				TrainingSettings { target_modules: TargetModules(1 << 7), ..valid() },
				SettingsError::NoTargetModules,
			),
			(
				TrainingSettings { target_modules: TargetModules(1 | 1 << 7), ..valid() },
				SettingsError::UnknownTargetModule,
			),
			(TrainingSettings { learning_rate_ppb: 0, ..valid() }, SettingsError::ZeroLearningRate),
			(TrainingSettings { batch_size: 0, ..valid() }, SettingsError::ZeroBatchSize),
			(TrainingSettings { sequence_length: 1, ..valid() }, SettingsError::SequenceTooShort),
			(TrainingSettings { epochs: 0, max_steps: 5, ..valid() }, SettingsError::ZeroEpochs),
			(
				TrainingSettings { eval_fraction_ppm: 0, ..valid() },
				SettingsError::EvalFractionOutOfRange,
			),
			(
				TrainingSettings { eval_fraction_ppm: PPM, ..valid() },
				SettingsError::EvalFractionOutOfRange,
			),
			(
				TrainingSettings { early_stopping_patience: 2, ..valid() },
				SettingsError::PatienceWithoutEvaluations,
			),
		];
		for (settings, error) in cases {
			assert_eq!(settings.validate(), Err(error), "{settings:?}");
		}
	}

	#[test]
	fn settings_round_trip_through_scale() {
		let settings = TrainingSettings {
			method: TrainingMethod::QLora(QuantFormat::Nf4),
			target_modules: TargetModules::QV,
			seed: 42,
			..Default::default()
		};
		let bytes = settings.encode();
		assert_eq!(bytes.len(), TrainingSettings::max_encoded_len());
		assert_eq!(TrainingSettings::decode(&mut &bytes[..]).unwrap(), settings);
	}

	#[test]
	fn target_module_bits_name_each_module_once() {
		let names: Vec<&str> = TargetModules::ALL.iter().map(|m| m.hf_name()).collect();
		assert_eq!(
			names,
			["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
		);
		let qv: Vec<TargetModule> = TargetModules::QV.iter().collect();
		assert_eq!(qv, [TargetModule::Q, TargetModule::V]);
		assert_eq!(TargetModule::from_hf_name("up_proj"), Some(TargetModule::Up));
		assert!(TargetModules::default().is_empty());
	}

	#[test]
	fn fixed_point_fields_convert_to_floats() {
		let settings = TrainingSettings::default();
		assert!((settings.learning_rate() - 2e-3).abs() < 1e-12);
		assert!((settings.dropout() - 0.05).abs() < 1e-12);
		assert!((settings.eval_fraction() - 0.1).abs() < 1e-12);
	}
}
