// File → rows → content store → chain. Storing comes first (it costs nothing on chain and gives
// each row its hash), so the deposit shown before signing covers exactly the rows that will be
// contributed: rows whose hash is already registered anywhere on chain are left out, because the
// chain would refuse the whole batch (`DuplicateRow`).
import { useState } from 'react';
import { useApi } from '../chain/ChainContext';
import { eventsNamed } from '../chain/submit';
import { useSettings } from '../config/SettingsContext';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { TxFee } from '../components/TxFee';
import { useExtrinsic } from '../components/useExtrinsic';
import { totalRowDeposit } from '../lib/deposit';
import { chunk, defaultModeFor, splitRows, type Row, type SplitMode } from '../lib/rowSplitter';
import { putObject } from '../sidecar/store';
import type { DatanetConstants } from './constants';

const ACCEPTED = '.txt,.md,.csv,.jsonl,.ndjson';
const PREVIEW_ROWS = 12;
/** The sidecar accepts 4 uploads at once by default (`--max-concurrent-uploads`). */
const UPLOAD_CONCURRENCY = 3;

interface StoredRow extends Row {
  hash: `0x${string}`;
  /** "datanet/row" of the row already holding this hash on chain, if any. */
  existing: string | null;
}

const MODE_LABELS: Record<SplitMode, string> = {
  paragraph: 'by paragraph (blank lines)',
  line: 'by line',
  record: 'by record (CSV row with header, JSONL line)',
};

async function mapConcurrently<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function UploadRows({ datanet, limits, onContributed }: { datanet: number; limits: DatanetConstants; onContributed(): void }) {
  const api = useApi();
  const { settings } = useSettings();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [mode, setMode] = useState<SplitMode>('paragraph');
  const [stored, setStored] = useState<StoredRow[] | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  const submitter = useExtrinsic();

  const split = file ? splitRows(file.text, mode, file.name) : null;
  const deposit = (rows: Row[]) => totalRowDeposit({ base: limits.rowDepositBase, perByte: limits.rowDepositPerByte }, rows.map((r) => r.byteLen));
  const toContribute = stored?.filter((row) => row.existing === null) ?? [];
  const batches = chunk(toContribute, limits.maxBatchSize);
  const batchTx = (rows: StoredRow[]) =>
    api.tx.datanets.contributeBatch(datanet, rows.map((row) => ({ contentHash: row.hash, byteLen: row.byteLen, label: null })));

  const choose = async (chosen: File | undefined) => {
    setStored(null);
    setError(null);
    setProgress(null);
    if (!chosen) return setFile(null);
    setFile({ name: chosen.name, text: await chosen.text() });
    setMode(defaultModeFor(chosen.name));
  };

  const store = async () => {
    if (!split) return;
    setWorking(true);
    setError(null);
    try {
      let done = 0;
      const hashes = await mapConcurrently(split.rows, UPLOAD_CONCURRENCY, async (row) => {
        const hash = await putObject(settings.sidecarOperatorUrl, row.text);
        setProgress(`stored ${++done} of ${split.rows.length} rows in the sidecar`);
        return hash;
      });
      setProgress('checking which rows the chain already holds');
      const existing = await api.query.datanets.rowByHash.multi(hashes);
      setStored(
        split.rows.map((row, i) => {
          const found = existing[i] as unknown as { isSome: boolean; unwrap(): [unknown, unknown] };
          const [d, r] = found.isSome ? found.unwrap() : [null, null];
          return { ...row, hash: hashes[i], existing: found.isSome ? `${String(d)}/${String(r)}` : null };
        }),
      );
      setProgress(null);
    } catch (reason) {
      setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      setWorking(false);
    }
  };

  const contribute = async () => {
    let contributed = 0;
    for (const [index, rows] of batches.entries()) {
      setProgress(`batch ${index + 1} of ${batches.length} (${rows.length} rows)`);
      const included = await submitter.run(batchTx(rows), `batch ${index + 1} of ${batches.length} included`);
      if (!included) {
        setProgress(`stopped at batch ${index + 1}; ${contributed} rows were contributed before it`);
        break;
      }
      contributed += eventsNamed(included, 'datanets', 'RowContributed').length;
    }
    if (contributed === toContribute.length) {
      setProgress(`contributed ${contributed} rows; they wait for a curator`);
      setStored(null);
      setFile(null);
    }
    onContributed();
  };

  return (
    <section className="panel" aria-label="Upload rows">
      <h3>Upload a file</h3>
      <div className="row-actions">
        <input type="file" accept={ACCEPTED} onChange={(event) => void choose(event.target.files?.[0])} aria-label="File to upload" />
        <label>
          Split{' '}
          <select value={mode} onChange={(event) => { setMode(event.target.value as SplitMode); setStored(null); }}>
            {Object.entries(MODE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>{label}</option>
            ))}
          </select>
        </label>
      </div>
      {split && (
        <>
          <p>
            {split.rows.length} rows, {split.rows.reduce((sum, row) => sum + row.byteLen, 0)} bytes
            {split.duplicatesDropped > 0 && `; ${split.duplicatesDropped} repeated rows dropped`}. Deposit if all are
            contributed: <Amount planck={deposit(split.rows)} />.
          </p>
          {split.warnings.map((warning) => (
            <Notice key={warning} kind="error">{warning}</Notice>
          ))}
          <ol className="row-preview">
            {split.rows.slice(0, PREVIEW_ROWS).map((row, i) => (
              <li key={i}>
                <pre>{row.text}</pre>
                <small>{row.byteLen} bytes</small>
              </li>
            ))}
          </ol>
          {split.rows.length > PREVIEW_ROWS && <p className="muted">… and {split.rows.length - PREVIEW_ROWS} more rows</p>}
          {!stored && (
            <button type="button" disabled={working || split.rows.length === 0} onClick={() => void store()}>
              1. Store {split.rows.length} rows in the sidecar
            </button>
          )}
        </>
      )}
      {stored && (
        <div className="confirm">
          {stored.some((row) => row.existing) && (
            <p>
              Left out, already on chain: {stored.filter((row) => row.existing).map((row) => `row ${row.existing}`).join(', ')}.
            </p>
          )}
          <p>
            <strong>{toContribute.length}</strong> rows in {batches.length} batch(es) of at most {limits.maxBatchSize}. Deposit
            held from you: <strong><Amount planck={deposit(toContribute)} /></strong> ({String(limits.rowDepositBase)} +{' '}
            {String(limits.rowDepositPerByte)} × bytes planck per row, returned when the row is published and its challenge
            period ends, or when it is rejected other than as spam).{' '}
            {batches.length > 0 && <TxFee tx={() => batchTx(batches[0])} deps={[stored]} />}
            {batches.length > 1 && ' for the first batch'}
          </p>
          <button type="button" disabled={submitter.busy || toContribute.length === 0} onClick={() => void contribute()}>
            2. Sign and contribute
          </button>
        </div>
      )}
      <Notice kind="info">{progress}</Notice>
      <Notice kind="info">{submitter.status}</Notice>
      <Notice kind="error">{error ?? submitter.error}</Notice>
    </section>
  );
}
