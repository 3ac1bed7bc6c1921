// Where a training job's live progress is: the chain's off-chain worker posts each attempt of a
// job to its validator's sidecar as `<first 4 genesis bytes, hex>-job<id>-a<attempt>-<role>`
// (pallets/models/src/offchain.rs, `sidecar_job_id`), `-r<n>` appended after the sidecar lost
// it and it was posted again. Those routes are on the sidecar's operator API.
import { sidecarFetch } from '../sidecar/http';

export function sidecarJobId(genesisHash: string, job: number, attempt: number, role: 'train' | 'eval', runs = 0): string {
  const tag = genesisHash.replace(/^0x/, '').slice(0, 8);
  const id = `${tag}-job${job}-a${attempt}-${role}`;
  return runs === 0 ? id : `${id}-r${runs}`;
}

export interface SidecarJob {
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: { step: number; total_steps: number; loss: number | null };
  metrics: Record<string, number | string | null> | null;
  error: string | null;
}

/** The job as the first of `operatorUrls` that holds it reports it, or null when none does. */
export async function findSidecarJob(operatorUrls: readonly string[], ids: readonly string[]): Promise<{ url: string; id: string; job: SidecarJob } | null> {
  for (const url of operatorUrls) {
    for (const id of ids) {
      try {
        const response = await sidecarFetch(url, `/jobs/${encodeURIComponent(id)}`);
        return { url, id, job: (await response.json()) as SidecarJob };
      } catch {
        // not on this sidecar (404), or the sidecar is down: ask the next
      }
    }
  }
  return null;
}

/** The trainer's progress in words: before its first step it reads and tokenizes the rows. */
export function describeProgress({ status, progress, error }: SidecarJob): string {
  const loss = progress.loss !== null ? `, loss ${progress.loss.toFixed(4)}` : '';
  const steps = progress.total_steps > 0 ? `step ${progress.step} of ${progress.total_steps}` : null;
  switch (status) {
    case 'queued':
      return 'queued at the trainer\'s sidecar';
    case 'running':
      return steps ? `training, ${steps} (${Math.floor((100 * progress.step) / progress.total_steps)} %)${loss}` : 'preparing: reading and tokenizing the rows';
    case 'succeeded':
      return `trained${steps ? `, ${steps}` : ''}${loss}; the adapter and its losses go to the chain`;
    case 'failed':
      return `training failed: ${error ?? 'the sidecar gave no reason'}`;
  }
}
