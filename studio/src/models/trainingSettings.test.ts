import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, targetBits, toChainSettings, validateSettings } from './trainingSettings';
import { parseBalance } from '../lib/balance';

describe('validateSettings', () => {
  it('accepts the chain defaults', () => {
    expect(validateSettings(DEFAULT_SETTINGS)).toEqual([]);
  });

  it('names the chain error of each bad value', () => {
    const bad = { ...DEFAULT_SETTINGS, rank: 0, alpha: 0, dropout: 1, targets: [], learningRate: 0, batchSize: 0, sequenceLength: 1, epochs: 0, evalFraction: 0, earlyStoppingPatience: 2 };
    const words = validateSettings(bad).join(' | ');
    for (const code of ['RankOutOfRange', 'ZeroAlpha', 'DropoutNotBelowOne', 'NoTargetModules', 'ZeroLearningRate', 'ZeroBatchSize', 'SequenceTooShort', 'ZeroEpochs', 'EvalFractionOutOfRange', 'PatienceWithoutEvaluations']) {
      expect(words).toContain(code);
    }
  });

  it('refuses a rank above the largest LoRA rank and fractional counts', () => {
    expect(validateSettings({ ...DEFAULT_SETTINGS, rank: 1025 }).join()).toContain('RankOutOfRange');
    expect(validateSettings({ ...DEFAULT_SETTINGS, epochs: 1.5 }).join()).toContain('epochs must be a whole number');
  });
});

describe('toChainSettings', () => {
  it('writes fixed-point fields, the target bit set and enum variants', () => {
    const chain = toChainSettings({ ...DEFAULT_SETTINGS, method: 'qlora-nf4', targets: ['q_proj', 'v_proj'], packing: 'per_row' });
    expect(chain).toMatchObject({
      method: { QLora: 'Nf4' },
      dropoutPpm: 50_000,
      learningRatePpb: 2_000_000,
      evalFractionPpm: 100_000,
      targetModules: 0b101,
      packing: 'PerRow',
      overflow: 'Truncate',
    });
  });

  it('maps every module to its bit', () => {
    expect(targetBits(DEFAULT_SETTINGS.targets)).toBe(0b111_1111);
    expect(targetBits(['down_proj'])).toBe(0b100_0000);
  });
});

describe('parseBalance', () => {
  it('turns decimal text into planck', () => {
    expect(parseBalance('1.5')).toBe(1_500_000_000_000n);
    expect(parseBalance('0.000000000001')).toBe(1n);
    expect(parseBalance('1,000')).toBe(1_000_000_000_000_000n);
    expect(parseBalance('.5')).toBe(500_000_000_000n);
  });

  it('refuses text that is not an amount', () => {
    expect(parseBalance('')).toBeNull();
    expect(parseBalance('-1')).toBeNull();
    expect(parseBalance('1e3')).toBeNull();
    expect(parseBalance('0.0000000000001')).toBeNull();
  });
});
