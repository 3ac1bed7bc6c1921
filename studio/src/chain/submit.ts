// Signs and submits an extrinsic and waits for it to be included, turning every way it can fail
// into one sentence: refused by the pool (bad nonce, cannot pay fees), or dispatched and failed
// (a pallet error, decoded through the metadata into "pallet.Error: docs").
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { ISubmittableResult } from '@polkadot/types/types';
import { describeDispatchError, describeThrown, type DispatchErrorLike, type MetaError } from '../lib/dispatchError';
import { extensionSigner, type Account } from './accounts';

export type Extrinsic = SubmittableExtrinsic<'promise'>;

export interface Included {
  blockHash: string;
  events: EventRecord[];
}

/** Progress words for the person: "signing", "ready", "in block 0x…". */
export type StatusListener = (status: string) => void;

export class ExtrinsicError extends Error {}

/**
 * Pool refusals that mean "another transaction of this account took the nonce": on the dev
 * network Alice and Bob are validators whose off-chain workers sign with the same keys, so their
 * transactions can race the studio's for a nonce. Signing again picks the next free nonce.
 */
const NONCE_RACE = /^(1014: Priority is too low|1010: Invalid Transaction: Transaction is outdated)/;
const NONCE_RACE_RETRIES = 2;

export async function signAndWait(api: ApiPromise, tx: Extrinsic, account: Account, onStatus: StatusListener = () => {}): Promise<Included> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await signAndWaitOnce(api, tx, account, onStatus);
    } catch (error) {
      if (!(error instanceof ExtrinsicError) || !NONCE_RACE.test(error.message) || attempt >= NONCE_RACE_RETRIES) throw error;
      onStatus(`the account's nonce was taken by another transaction (${error.message.slice(0, 4)}); signing again`);
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  }
}

async function signAndWaitOnce(api: ApiPromise, tx: Extrinsic, account: Account, onStatus: StatusListener): Promise<Included> {
  onStatus(account.kind === 'extension' ? 'waiting for the extension to sign' : 'signing');
  const findMetaError = (module: never) => api.registry.findMetaError(module) as MetaError;
  return new Promise<Included>((resolve, reject) => {
    let unsubscribe: (() => void) | null = null;
    const finish = (outcome: () => void) => {
      unsubscribe?.();
      outcome();
    };
    const callback = (result: ISubmittableResult) => {
      const { status, dispatchError, events } = result;
      if (status.isReady) onStatus('in the transaction pool');
      if (status.isBroadcast) onStatus('broadcast');
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        finish(() => reject(new ExtrinsicError(`the transaction was ${status.type.toLowerCase()} by the pool`)));
        return;
      }
      if (!status.isInBlock && !status.isFinalized) return;
      if (dispatchError) {
        finish(() => reject(new ExtrinsicError(describeDispatchError(dispatchError as unknown as DispatchErrorLike, findMetaError))));
        return;
      }
      const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
      onStatus(`included in block ${blockHash.slice(0, 10)}…`);
      finish(() => resolve({ blockHash, events: events as EventRecord[] }));
    };
    const sent =
      account.kind === 'dev'
        ? tx.signAndSend(account.pair, callback)
        : extensionSigner(account.source).then((signer) => tx.signAndSend(account.address, { signer }, callback));
    sent.then(
      (unsub) => {
        unsubscribe = unsub;
      },
      (error: unknown) => reject(new ExtrinsicError(describeThrown(error))),
    );
  });
}

/** The events of one pallet with the given name, e.g. ('datanets', 'RowContributed'). */
export function eventsNamed(included: Included, section: string, method: string): EventRecord[] {
  return included.events.filter(({ event }) => event.section === section && event.method === method);
}
