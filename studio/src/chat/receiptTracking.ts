// Follows a signed receipt onto the chain. The serving validator's off-chain worker submits
// signed receipts in batches; an accepted one is findable by (user, nonce) in
// `attribution.usedNonces` and becomes a record whose status moves Pending → Final (or
// Disputed/Upheld/Rejected); a refused one leaves only an `attribution.ReceiptRefused` event.
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { bigintOf, field, numberOf, unwrap, variant } from '../chain/codec';
import { describeDispatchError, type DispatchErrorLike, type MetaError } from '../lib/dispatchError';

export interface ReceiptProgress {
  /** Words for the person. */
  stage: string;
  record: number | null;
  status: string | null;
  fee: bigint | null;
  challengeEnds: number | null;
  /** True once nothing more will happen: final, rejected or refused. */
  settled: boolean;
}

/** A random nonce the user has not used (the chain refuses a nonce twice). */
export async function freshNonce(api: ApiPromise, user: string): Promise<number> {
  for (;;) {
    const nonce = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER);
    if (unwrap(await api.query.attribution.usedNonces(user, nonce)) === null) return nonce;
  }
}

/** Calls `onProgress` at every block until the receipt's record settles; returns a stop function. */
export async function followReceipt(api: ApiPromise, user: string, nonce: number, onProgress: (p: ReceiptProgress) => void): Promise<() => void> {
  let stopped = false;
  const waiting: ReceiptProgress = { stage: 'signed and queued at the sidecar; waiting for a validator to submit it', record: null, status: null, fee: null, challengeEnds: null, settled: false };
  onProgress(waiting);
  const check = async () => {
    const record = unwrap(await api.query.attribution.usedNonces(user, nonce));
    if (record === null) return;
    const id = numberOf(record);
    const info = unwrap(await api.query.attribution.records(id));
    if (!info) return;
    const status = variant(field(info, 'status'));
    const settled = status === 'Final' || status === 'Rejected';
    onProgress({
      stage: settled ? `record ${id} is ${status.toLowerCase()}` : `accepted as record ${id}: ${status.toLowerCase()}, open to disputes until block ${numberOf(field(info, 'challengeEnds'))}`,
      record: id,
      status,
      fee: bigintOf(field(info, 'fee')),
      challengeEnds: numberOf(field(info, 'challengeEnds')),
      settled,
    });
    if (settled) stop();
  };
  const findMetaError = (module: never) => api.registry.findMetaError(module) as MetaError;
  const unsubscribeEvents = await api.query.system.events((records: Codec) => {
    for (const { event } of records as unknown as { event: { section: string; method: string; data: Codec[] } }[]) {
      if (event.section !== 'attribution' || event.method !== 'ReceiptRefused') continue;
      const [, refusedUser, refusedNonce, error] = event.data;
      if (refusedUser.toString() !== user || Number(refusedNonce.toString()) !== nonce) continue;
      onProgress({ ...waiting, stage: `refused by the chain: ${describeDispatchError(error as unknown as DispatchErrorLike, findMetaError)}`, settled: true });
      stop();
    }
    void check();
  });
  function stop() {
    if (stopped) return;
    stopped = true;
    (unsubscribeEvents as unknown as () => void)();
  }
  return stop;
}
