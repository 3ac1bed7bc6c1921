// An answer's receipt: what the person pays for (model version, tokens, the most it may cost),
// signed in the browser, handed to the sidecar, then followed on chain until its record is final.
import { useEffect, useRef, useState } from 'react';
import { useAccounts } from '../chain/AccountContext';
import { useChain } from '../chain/ChainContext';
import { signBytes } from '../chain/signRaw';
import { useSettings } from '../config/SettingsContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { submitReceiptSignature, type Receipt } from '../sidecar/openai';
import { followReceipt, type ReceiptProgress } from './receiptTracking';

export function ReceiptPanel({ receipt, user }: { receipt: Receipt; user: string }) {
  const { api, bestBlock } = useChain();
  const { settings } = useSettings();
  const { accounts } = useAccounts();
  const [progress, setProgress] = useState<ReceiptProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stop = useRef<(() => void) | null>(null);
  useEffect(() => () => stop.current?.(), []);
  const signer = accounts.find((account) => account.address === user) ?? null;

  const sign = async () => {
    if (!signer || !api) return;
    setBusy(true);
    setError(null);
    try {
      const signature = await signBytes(signer, receipt.signing_payload);
      await submitReceiptSignature(settings.sidecarUrl, receipt.id, signature);
      stop.current = await followReceipt(api, user, receipt.nonce, setProgress);
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside className="panel receipt" aria-label="Receipt">
      <h3>Receipt</h3>
      <p>
        Model {receipt.model} v{receipt.version}, {receipt.tokens_in} prompt + {receipt.tokens_out} answer tokens; at most{' '}
        <Amount planck={BigInt(receipt.max_fee)} />, valid until block {receipt.expiry}; served by{' '}
        <code title={receipt.worker}>{receipt.worker.slice(0, 10)}…</code>, paid by <Address address={user} />.
      </p>
      {!progress && (
        <button type="button" disabled={busy || !signer || !api} onClick={() => void sign()}>
          Sign the receipt
        </button>
      )}
      {!signer && <Notice kind="error">the receipt names an account the studio cannot sign for</Notice>}
      <Notice kind={progress?.stage.startsWith('refused') ? 'error' : 'info'}>{progress?.stage}</Notice>
      {progress?.status === 'Pending' && progress.challengeEnds !== null && bestBlock !== null && (
        <p className="muted">
          {progress.challengeEnds > bestBlock
            ? `Block #${bestBlock}: final after block ${progress.challengeEnds} if nobody disputes it, ${progress.challengeEnds - bestBlock} blocks from now.`
            : `Block #${bestBlock}: the dispute window has closed; the record becomes final in one of the next blocks.`}
        </p>
      )}
      {progress?.fee != null && <p>{progress.status === 'Final' ? 'Fee paid' : progress.status === 'Rejected' ? 'Fee refunded' : 'Fee held'}: <Amount planck={progress.fee} /></p>}
      <Notice kind="error">{error}</Notice>
    </aside>
  );
}
