import { describe, expect, it } from 'vitest';
import { describeProgress, sidecarJobId, type SidecarJob } from './jobProgress';

describe('sidecarJobId', () => {
  it('is the off-chain worker\'s id: genesis tag, job, attempt, role, restarts', () => {
    const genesis = '0xf910c452aa00000000000000000000000000000000000000000000000000ffff';
    expect(sidecarJobId(genesis, 0, 1, 'train')).toBe('f910c452-job0-a1-train');
    expect(sidecarJobId(genesis, 7, 2, 'eval', 1)).toBe('f910c452-job7-a2-eval-r1');
  });
});

describe('describeProgress', () => {
  const job = (status: SidecarJob['status'], step: number, total: number, loss: number | null, error: string | null = null): SidecarJob => ({
    status,
    progress: { step, total_steps: total, loss },
    metrics: null,
    error,
  });
  it('says what the trainer does, with steps, share and loss once it has them', () => {
    expect(describeProgress(job('queued', 0, 0, null))).toBe("queued at the trainer's sidecar");
    expect(describeProgress(job('running', 0, 0, null))).toBe('preparing: reading and tokenizing the rows');
    expect(describeProgress(job('running', 12, 48, 5.12345))).toBe('training, step 12 of 48 (25 %), loss 5.1235');
    expect(describeProgress(job('succeeded', 48, 48, 4.5))).toBe('trained, step 48 of 48, loss 4.5000; the adapter and its losses go to the chain');
    expect(describeProgress(job('failed', 3, 48, null, 'out of memory'))).toBe('training failed: out of memory');
  });
});
