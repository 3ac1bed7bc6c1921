import { describe, expect, it } from 'vitest';
import { publishFee, rowDeposit, totalRowDeposit } from './deposit';
import { formatBalance, formatPpb } from './balance';

const params = { base: 10_000_000_000n, perByte: 1_000_000n };

describe('row deposits', () => {
  it('is base + perByte × byteLen', () => {
    expect(rowDeposit(params, 0)).toBe(10_000_000_000n);
    expect(rowDeposit(params, 37)).toBe(10_037_000_000n);
  });

  it('sums over rows without losing precision beyond 2^53', () => {
    const big = { base: 2n ** 70n, perByte: 3n };
    expect(totalRowDeposit(big, [1, 2])).toBe(2n * 2n ** 70n + 9n);
  });

  it('refuses fractional or negative lengths', () => {
    expect(() => rowDeposit(params, 1.5)).toThrow();
    expect(() => rowDeposit(params, -1)).toThrow();
  });
});

describe('publish fee', () => {
  it('is base + perByte × total bytes', () => {
    expect(publishFee({ base: 5n, perByte: 2n }, 10n)).toBe(25n);
    expect(publishFee({ base: 5n, perByte: 2n }, 0)).toBe(5n);
  });
});

describe('formatBalance', () => {
  it('writes planck in TRIB with 12 decimals, trimming zeros and grouping thousands', () => {
    expect(formatBalance(1_500_000_000_000n)).toBe('1.5 TRIB');
    expect(formatBalance(1_234_000_000_000_000n)).toBe('1,234 TRIB');
    expect(formatBalance(1n)).toBe('0.000000000001 TRIB');
    expect(formatBalance(0n)).toBe('0 TRIB');
    expect(formatBalance(-2_000_000_000_000n, 12, 'UNIT')).toBe('-2 UNIT');
  });

  it('writes parts per billion as a percentage', () => {
    expect(formatPpb(1_000_000_000)).toBe('100.00 %');
    expect(formatPpb(123_456_789)).toBe('12.35 %');
  });
});
