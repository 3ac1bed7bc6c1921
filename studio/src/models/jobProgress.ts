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
