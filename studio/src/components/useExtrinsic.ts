// The state of one "sign and submit" button: idle, working (with progress words), done or failed.
import { useState } from 'react';
import { useAccounts } from '../chain/AccountContext';
import { useApi } from '../chain/ChainContext';
import { signAndWait, type Extrinsic, type Included } from '../chain/submit';

export interface ExtrinsicRunner {
  busy: boolean;
  status: string | null;
  error: string | null;
  /** Signs `tx` with the selected account and waits for inclusion; null when it failed. */
  run(tx: Extrinsic, doneWords?: string): Promise<Included | null>;
}

export function useExtrinsic(): ExtrinsicRunner {
  const api = useApi();
  const { selected } = useAccounts();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (tx: Extrinsic, doneWords?: string) => {
    if (!selected) {
      setError('choose an account first');
      return null;
    }
    setBusy(true);
    setError(null);
    try {
      const included = await signAndWait(api, tx, selected, setStatus);
      setStatus(doneWords ?? 'done');
      return included;
    } catch (reason) {
      setStatus(null);
      setError(reason instanceof Error ? reason.message : String(reason));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, status, error, run };
}
