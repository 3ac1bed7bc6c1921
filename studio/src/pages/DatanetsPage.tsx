import { useState } from 'react';
import { useAccounts } from '../chain/AccountContext';
import { useApi } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import { readDatanetConstants, type DatanetConstants } from '../datanets/constants';
import { CreateDatanetForm } from '../datanets/CreateDatanetForm';
import { CurationPanel } from '../datanets/CurationPanel';
import { loadDatanets, loadRowCounts, loadRows, loadVersions, type DatanetSummary } from '../datanets/queries';
import { matchesSearch } from '../datanets/search';
import { UploadRows } from '../datanets/UploadRows';
import { VersionsPanel } from '../datanets/VersionsPanel';

export function DatanetsPage() {
  const api = useApi();
  const [query, setQuery] = useState('');
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<number | null>(null);
  const list = useAsync(async () => {
    const [datanets, counts] = await Promise.all([loadDatanets(api), loadRowCounts(api)]);
    return { datanets, counts };
  }, [api]);
  let limits: DatanetConstants | null = null;
  let limitsError: string | null = null;
  try {
    limits = readDatanetConstants(api);
  } catch (error) {
    limitsError = (error as Error).message;
  }

  const shown = list.data?.datanets.filter((d) => matchesSearch(d, query)) ?? [];
  const open = list.data?.datanets.find((d) => d.id === openId) ?? null;

  return (
    <div className="page">
      <header className="page-header">
        <h2>Datanets</h2>
        <input type="search" placeholder="Search name, tags, license" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search datanets" />
        <button type="button" onClick={() => setCreating(!creating)}>{creating ? 'Close' : 'New datanet'}</button>
        <button type="button" className="link" onClick={list.reload}>Refresh</button>
      </header>
      <Notice kind="error">{limitsError}</Notice>
      {creating && limits && (
        <CreateDatanetForm
          limits={limits}
          onCreated={(id) => {
            setCreating(false);
            setOpenId(id);
            list.reload();
          }}
        />
      )}
      <Notice kind="error">{list.error}</Notice>
      {list.loading && !list.data && <p className="muted">Reading datanets from the chain…</p>}
      {list.data && shown.length === 0 && <p className="muted">{query ? 'No datanet matches.' : 'No datanet yet: create the first.'}</p>}
      <table className="datanet-table">
        <thead>
          <tr>
            <th>#</th>
            <th>Name</th>
            <th>Tags</th>
            <th>License</th>
            <th>Rows (pending / approved / published)</th>
            <th>Versions</th>
            <th>Owner</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => {
            const c = list.data!.counts.get(d.id) ?? { Pending: 0, Approved: 0, Published: 0, Slashed: 0 };
            return (
              <tr key={d.id} className={d.id === openId ? 'selected' : ''} onClick={() => setOpenId(d.id)}>
                <td>{d.id}</td>
                <td>
                  <button type="button" className="link">{d.name}</button>
                  <div className="muted">{d.summary}</div>
                </td>
                <td>{d.tags.map((tag) => <span key={tag} className="tag">{tag}</span>)}</td>
                <td>{d.license}</td>
                <td>{c.Pending} / {c.Approved} / {c.Published}{c.Slashed ? ` (${c.Slashed} slashed)` : ''}</td>
                <td>{d.versionCount}</td>
                <td><Address address={d.owner} /></td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {open && limits && <DatanetDetail key={open.id} datanet={open} limits={limits} onChanged={list.reload} />}
    </div>
  );
}

function DatanetDetail({ datanet, limits, onChanged }: { datanet: DatanetSummary; limits: DatanetConstants; onChanged(): void }) {
  const api = useApi();
  const { selected } = useAccounts();
  const detail = useAsync(async () => {
    const [rows, versions] = await Promise.all([loadRows(api, datanet.id), loadVersions(api, datanet.id)]);
    return { rows, versions };
  }, [api, datanet.id]);
  const refresh = () => {
    detail.reload();
    onChanged();
  };
  const canCurate = !!selected && (selected.address === datanet.owner || datanet.curators.includes(selected.address));
  return (
    <article className="datanet-detail" aria-label={`Datanet ${datanet.name}`}>
      <h3>
        {datanet.name} <small className="muted">#{datanet.id} · {datanet.visibility} · {datanet.license}</small>
      </h3>
      {datanet.description && <pre className="description">{datanet.description}</pre>}
      <p className="muted">
        Owner <Address address={datanet.owner} />
        {datanet.curators.length > 0 && <> · curators {datanet.curators.map((c) => <Address key={c} address={c} />)}</>}
        {' '}· {datanet.rowsContributed} rows ever contributed
      </p>
      <Notice kind="error">{detail.error}</Notice>
      <UploadRows datanet={datanet.id} limits={limits} onContributed={refresh} />
      {detail.data && (
        <>
          <CurationPanel datanet={datanet.id} rows={detail.data.rows} limits={limits} canCurate={canCurate} onChanged={refresh} />
          <VersionsPanel datanet={datanet.id} rows={detail.data.rows} versions={detail.data.versions} limits={limits} onChanged={refresh} />
        </>
      )}
    </article>
  );
}
