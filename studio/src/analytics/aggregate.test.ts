import { describe, expect, it } from 'vitest';
import { cumulativeFees, sumBy, versionLabel } from './aggregate';

describe('sumBy', () => {
  it('sums per key in first-seen order, beyond 2^53', () => {
    const rows = [{ d: 1, s: 2n ** 60n }, { d: 0, s: 1n }, { d: 1, s: 2n }];
    expect([...sumBy(rows, (r) => `datanet ${r.d}`, (r) => r.s)]).toEqual([['datanet 1', 2n ** 60n + 2n], ['datanet 0', 1n]]);
  });
});

describe('cumulativeFees', () => {
  it('runs a total per model version over blocks, merging records of one block and skipping refunded ones', () => {
    const series = cumulativeFees([
      { model: 0, version: 1, fee: 5n, submittedAt: 20, status: 'Final' },
      { model: 0, version: 1, fee: 3n, submittedAt: 10, status: 'Pending' },
      { model: 0, version: 1, fee: 2n, submittedAt: 20, status: 'Final' },
      { model: 0, version: 1, fee: 100n, submittedAt: 30, status: 'Rejected' },
      { model: 1, version: 2, fee: 7n, submittedAt: 15, status: 'Final' },
    ]);
    expect(series).toEqual([
      { label: versionLabel(0, 1), points: [[10, 3n], [20, 10n]] },
      { label: 'model-1-v2', points: [[15, 7n]] },
    ]);
  });
});
