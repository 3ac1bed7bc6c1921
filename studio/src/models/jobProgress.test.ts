import { describe, expect, it } from 'vitest';
import { sidecarJobId } from './jobProgress';

describe('sidecarJobId', () => {
  it('is the off-chain worker\'s id: genesis tag, job, attempt, role, restarts', () => {
    const genesis = '0xf910c452aa00000000000000000000000000000000000000000000000000ffff';
    expect(sidecarJobId(genesis, 0, 1, 'train')).toBe('f910c452-job0-a1-train');
    expect(sidecarJobId(genesis, 7, 2, 'eval', 1)).toBe('f910c452-job7-a2-eval-r1');
  });
});
