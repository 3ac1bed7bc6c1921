// A fine-tune job's settings as a person edits them (fractions, a learning rate) and as the chain
// takes them (`tributary_primitives::training::TrainingSettings`: parts per million or billion, a
// bit set of target modules). `validateSettings` repeats `TrainingSettings::validate` so a form
// says what is wrong before the chain refuses it with `InvalidTrainingSettings`.

export const MAX_LORA_RANK = 1024;
const PPM = 1_000_000;
const PPB = 1_000_000_000;
const U32_MAX = 4_294_967_295;

export type MethodName = 'lora' | 'qlora-nf4' | 'qlora-int8';
export type PackingName = 'auto' | 'stream' | 'per_row';
export type OverflowName = 'truncate' | 'window';

/** Hugging Face names, in the order of their bits in `TargetModules` (q is bit 0). */
export const TARGET_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type TargetModuleName = (typeof TARGET_MODULES)[number];

export interface SettingsDraft {
  method: MethodName;
  rank: number;
  alpha: number;
  /** Dropout on the adapter's input, a fraction in [0, 1). */
  dropout: number;
  targets: TargetModuleName[];
  learningRate: number;
  batchSize: number;
  sequenceLength: number;
  epochs: number;
  /** 0: the epochs alone decide. */
  maxSteps: number;
  seed: number;
  /** Share of rows held out for evaluation, in (0, 1). */
  evalFraction: number;
  useRslora: boolean;
  useDora: boolean;
  evalEverySteps: number;
  earlyStoppingPatience: number;
  packing: PackingName;
  overflow: OverflowName;
  trainOnPrompts: boolean;
}

/** `TrainingSettings::default()` in the runtime's primitives. */
export const DEFAULT_SETTINGS: SettingsDraft = {
  method: 'lora',
  rank: 8,
  alpha: 16,
  dropout: 0.05,
  targets: [...TARGET_MODULES],
  learningRate: 0.002,
  batchSize: 8,
  sequenceLength: 128,
  epochs: 1,
  maxSteps: 0,
  seed: 0,
  evalFraction: 0.1,
  useRslora: false,
  useDora: false,
  evalEverySteps: 0,
  earlyStoppingPatience: 0,
  packing: 'auto',
  overflow: 'truncate',
  trainOnPrompts: false,
};

export function targetBits(targets: readonly TargetModuleName[]): number {
  return targets.reduce((bits, name) => bits | (1 << TARGET_MODULES.indexOf(name)), 0);
}

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= U32_MAX;
}

/** What is wrong with the draft, in words; empty when the chain will accept it. */
export function validateSettings(draft: SettingsDraft): string[] {
  const problems: string[] = [];
  const whole: [string, number][] = [
    ['rank', draft.rank],
    ['alpha', draft.alpha],
    ['batch size', draft.batchSize],
    ['sequence length', draft.sequenceLength],
    ['epochs', draft.epochs],
    ['max steps', draft.maxSteps],
    ['evaluate every', draft.evalEverySteps],
    ['early-stopping patience', draft.earlyStoppingPatience],
  ];
  for (const [name, value] of whole) if (!isU32(value)) problems.push(`${name} must be a whole number from 0 to ${U32_MAX}`);
  if (!Number.isSafeInteger(draft.seed) || draft.seed < 0) problems.push('the seed must be a whole number ≥ 0');
  if (draft.rank < 1 || draft.rank > MAX_LORA_RANK) problems.push(`the rank must be from 1 to ${MAX_LORA_RANK} (RankOutOfRange)`);
  if (draft.alpha === 0) problems.push('alpha must be above 0 (ZeroAlpha)');
  const dropoutPpm = Math.round(draft.dropout * PPM);
  if (!(dropoutPpm >= 0 && dropoutPpm < PPM)) problems.push('dropout must be at least 0 and below 1 (DropoutNotBelowOne)');
  if (draft.targets.length === 0) problems.push('choose at least one target module (NoTargetModules)');
  if (!(Math.round(draft.learningRate * PPB) > 0)) problems.push('the learning rate must be at least 1e-9 (ZeroLearningRate)');
  if (draft.batchSize === 0) problems.push('the batch size must be above 0 (ZeroBatchSize)');
  if (draft.sequenceLength < 2) problems.push('the sequence length must be at least 2 tokens (SequenceTooShort)');
  if (draft.epochs === 0) problems.push('train at least one epoch (ZeroEpochs)');
  const evalPpm = Math.round(draft.evalFraction * PPM);
  if (!(evalPpm > 0 && evalPpm < PPM)) problems.push('the held-out share must be above 0 and below 1 (EvalFractionOutOfRange)');
  if (draft.earlyStoppingPatience > 0 && draft.evalEverySteps === 0) {
    problems.push('early stopping needs evaluations: set "evaluate every" (PatienceWithoutEvaluations)');
  }
  return problems;
}

const METHODS: Record<MethodName, unknown> = { lora: 'Lora', 'qlora-nf4': { QLora: 'Nf4' }, 'qlora-int8': { QLora: 'Int8' } };
const PACKINGS: Record<PackingName, string> = { auto: 'Auto', stream: 'Stream', per_row: 'PerRow' };
const OVERFLOWS: Record<OverflowName, string> = { truncate: 'Truncate', window: 'Window' };

/** The draft as polkadot.js encodes `TrainingSettings` (field names in camelCase). */
export function toChainSettings(draft: SettingsDraft): Record<string, unknown> {
  return {
    method: METHODS[draft.method],
    rank: draft.rank,
    alpha: draft.alpha,
    dropoutPpm: Math.round(draft.dropout * PPM),
    targetModules: targetBits(draft.targets),
    learningRatePpb: Math.round(draft.learningRate * PPB),
    batchSize: draft.batchSize,
    sequenceLength: draft.sequenceLength,
    epochs: draft.epochs,
    maxSteps: draft.maxSteps,
    seed: draft.seed,
    evalFractionPpm: Math.round(draft.evalFraction * PPM),
    useRslora: draft.useRslora,
    useDora: draft.useDora,
    evalEverySteps: draft.evalEverySteps,
    earlyStoppingPatience: draft.earlyStoppingPatience,
    packing: PACKINGS[draft.packing],
    overflow: OVERFLOWS[draft.overflow],
    trainOnPrompts: draft.trainOnPrompts,
  };
}
