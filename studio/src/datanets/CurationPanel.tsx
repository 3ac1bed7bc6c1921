// The owner's or a curator's queue: pending rows with their text, approved or rejected in
// batches of at most `MaxBatchSize` (the chain's bound on `approve` and `reject`).
import { useState } from 'react';
import { useApi } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { useExtrinsic } from '../components/useExtrinsic';
import { chunk } from '../lib/rowSplitter';
import type { DatanetConstants } from './constants';
import type { RowSummary } from './queries';
import { RowText } from './RowText';

const REJECT_REASONS = ['LowQuality', 'OffTopic', 'Malformed', 'LicenseViolation', 'Spam'] as const;

export function CurationPanel({
  datanet,
  rows,
  limits,
  canCurate,
  onChanged,
}: {
  datanet: number;
  rows: RowSummary[];
  limits: DatanetConstants;
  canCurate: boolean;
  onChanged(): void;
}) {
  const api = useApi();
  const pending = rows.filter((row) => row.status === 'Pending');
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [reason, setReason] = useState<(typeof REJECT_REASONS)[number]>('LowQuality');
  const [progress, setProgress] = useState<string | null>(null);
  const submitter = useExtrinsic();
  const selected = pending.filter((row) => chosen.has(row.id)).map((row) => row.id);

  const toggle = (id: number) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };

  const decide = async (approve: boolean) => {
    const batches = chunk(selected, limits.maxBatchSize);
    for (const [index, ids] of batches.entries()) {
      setProgress(`${approve ? 'approving' : 'rejecting'}: batch ${index + 1} of ${batches.length}`);
      const tx = approve ? api.tx.datanets.approve(datanet, ids) : api.tx.datanets.reject(datanet, ids, reason);
      if (!(await submitter.run(tx, approve ? 'approved' : 'rejected'))) break;
    }
    setProgress(null);
    setChosen(new Set());
    onChanged();
  };

  return (
    <section className="panel" aria-label="Curation">
      <h3>Pending rows ({pending.length})</h3>
      {!canCurate && <Notice kind="info">Only the owner or a curator may approve or reject; the chain refuses others.</Notice>}
      {pending.length === 0 && <p className="muted">Nothing waits for a decision.</p>}
      <ul className="curation-list">
        {pending.map((row) => (
          <li key={row.id}>
            <label className="check">
              <input type="checkbox" checked={chosen.has(row.id)} onChange={() => toggle(row.id)} />
              Row {row.id}
            </label>
            <small>
              {row.byteLen} bytes by <Address address={row.contributor} />, deposit <Amount planck={row.deposit} />, block{' '}
              {row.contributedAt}
            </small>
            <RowText hash={row.contentHash} />
          </li>
        ))}
      </ul>
      {pending.length > 0 && (
        <div className="row-actions">
          <button type="button" className="link" onClick={() => setChosen(new Set(pending.map((row) => row.id)))}>
            Select all
          </button>
          <button type="button" disabled={submitter.busy || selected.length === 0} onClick={() => void decide(true)}>
            Approve {selected.length}
          </button>
          <select value={reason} onChange={(event) => setReason(event.target.value as typeof reason)} aria-label="Reject reason">
            {REJECT_REASONS.map((r) => (
              <option key={r} value={r}>{r === 'Spam' ? 'Spam (part of the deposit is slashed)' : r}</option>
            ))}
          </select>
          <button type="button" disabled={submitter.busy || selected.length === 0} onClick={() => void decide(false)}>
            Reject {selected.length}
          </button>
        </div>
      )}
      <Notice kind="info">{progress ?? submitter.status}</Notice>
      <Notice kind="error">{submitter.error}</Notice>
    </section>
  );
}
