import { useApi } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { TxFee } from '../components/TxFee';
import { useExtrinsic } from '../components/useExtrinsic';
import { publishFee } from '../lib/deposit';
import type { DatanetConstants } from './constants';
import type { RowSummary, VersionSummary } from './queries';

/** Publishing the approved rows as the next version, and the versions so far. */
export function VersionsPanel({
  datanet,
  rows,
  versions,
  limits,
  onChanged,
}: {
  datanet: number;
  rows: RowSummary[];
  versions: VersionSummary[];
  limits: DatanetConstants;
  onChanged(): void;
}) {
  const api = useApi();
  const submitter = useExtrinsic();
  const approved = rows.filter((row) => row.status === 'Approved');
  const approvedBytes = approved.reduce((sum, row) => sum + BigInt(row.byteLen), 0n);
  const fee = publishFee({ base: limits.publishFeeBase, perByte: limits.publishFeePerByte }, approvedBytes);
  const publish = async () => {
    if (await submitter.run(api.tx.datanets.publishVersion(datanet), 'version published')) onChanged();
  };
  return (
    <section className="panel" aria-label="Versions">
      <h3>Versions</h3>
      <p>
        {approved.length} approved rows ({String(approvedBytes)} bytes) wait for the next version.
        {approved.length > 0 && (
          <>
            {' '}Publish fee paid to the treasury: <strong><Amount planck={fee} /></strong>;{' '}
            <TxFee tx={() => api.tx.datanets.publishVersion(datanet)} deps={[datanet, approved.length]} />
          </>
        )}
      </p>
      <button type="button" disabled={submitter.busy || approved.length === 0} onClick={() => void publish()}>
        Sign and publish version {versions.length + 1}
      </button>
      <Notice kind="info">{submitter.status}</Notice>
      <Notice kind="error">{submitter.error}</Notice>
      {versions.length === 0 ? (
        <p className="muted">No version published yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Version</th>
              <th>Rows</th>
              <th>Bytes</th>
              <th>Block</th>
              <th>Publisher</th>
              <th>Fee</th>
              <th>Merkle root</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.id}>
                <td>v{version.id}</td>
                <td>{version.rowCount}</td>
                <td>{String(version.totalBytes)}</td>
                <td>{version.publishedAt}</td>
                <td><Address address={version.publisher} /></td>
                <td><Amount planck={version.fee} /></td>
                <td><code title={version.merkleRoot}>{version.merkleRoot.slice(0, 12)}…</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
