// Which training rows an answer draws on. The sidecar names rows by (datanet, row) with a share
// in parts per billion; the studio looks each row up on chain (contributor, content hash) and
// shows its text (from the RAG citation, or fetched from the store by hash).
import { useApi } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { useAsync } from '../components/useAsync';
import { loadRow } from '../datanets/queries';
import { RowText } from '../datanets/RowText';
import { formatPpb } from '../lib/balance';
import type { AttributionRecord, Citation } from '../sidecar/openai';

export function AttributionPanel({ record, citations }: { record: AttributionRecord | null; citations: Citation[] | null }) {
  if (!record && !citations) return null;
  const rows = record?.top.length ? record.top : (record?.scores ?? []);
  return (
    <aside className="panel attribution" aria-label="Attribution">
      <h3>Attribution {record && <small className="muted">({record.method}, top {record.top_k})</small>}</h3>
      {rows.length === 0 && <p className="muted">The answer credits no training row.</p>}
      {rows.length > 0 && (
      <table>
        <thead>
          <tr>
            <th>Datanet</th>
            <th>Row</th>
            <th>Share</th>
            <th>Contributor</th>
            <th>Text</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((scored) => (
            <AttributedRow
              key={`${scored.datanet}/${scored.row}`}
              datanet={scored.datanet}
              row={scored.row}
              share={formatPpb(scored.parts_per_billion)}
              citedText={citations?.find((c) => c.datanet === scored.datanet && c.row === scored.row)?.text ?? null}
            />
          ))}
        </tbody>
      </table>
      )}
      {record && (
        <p className="muted">
          Output hash <code>{record.output.slice(0, 16)}…</code>; the SCALE record ({record.record_scale.length / 2} bytes) is
          what validators recompute.
        </p>
      )}
    </aside>
  );
}

function AttributedRow({ datanet, row, share, citedText }: { datanet: number; row: number; share: string; citedText: string | null }) {
  const api = useApi();
  const onChain = useAsync(() => loadRow(api, datanet, row), [api, datanet, row]);
  return (
    <tr>
      <td>{datanet}</td>
      <td>{row}</td>
      <td>{share}</td>
      <td>{onChain.data ? <Address address={onChain.data.contributor} /> : <span className="muted">{onChain.error ?? '…'}</span>}</td>
      <td>
        {citedText !== null ? <pre className="row-text">{citedText}</pre> : onChain.data ? <RowText hash={onChain.data.contentHash} /> : null}
      </td>
    </tr>
  );
}
