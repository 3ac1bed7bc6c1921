import { useAccounts } from '../chain/AccountContext';
import { useApi } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import { loadBaseModels, loadModels } from '../models/queries';
import { SetPriceForm } from '../models/SetPriceForm';

function ppbLoss(ppb: bigint): string {
  return (Number(ppb) / 1e9).toFixed(4);
}

/** Models and their versions with lineage: base model → datanet versions → adapter hash. */
export function ModelsPage() {
  const api = useApi();
  const { selected } = useAccounts();
  const data = useAsync(async () => {
    const [models, bases] = await Promise.all([loadModels(api), loadBaseModels(api)]);
    return { models, bases };
  }, [api]);
  const baseName = (id: number) => data.data?.bases.find((b) => b.id === id)?.name ?? `base model ${id}`;
  return (
    <div className="page">
      <header className="page-header">
        <h2>Models</h2>
        <button type="button" className="link" onClick={data.reload}>Refresh</button>
      </header>
      <Notice kind="error">{data.error}</Notice>
      {data.data && data.data.models.length === 0 && <p className="muted">No model yet: a fine-tune job creates the first version.</p>}
      {data.data?.models.map((model) => (
        <section key={model.id} className="panel" aria-label={`Model ${model.name}`}>
          <h3>
            {model.name} <small className="muted">model {model.id}{model.retired ? ' · retired' : ''}</small>
          </h3>
          <p>
            Owner <Address address={model.owner} /> · base {baseName(model.baseModel)} · price{' '}
            {model.pricePer1kTokens === null ? 'not set' : <><Amount planck={model.pricePer1kTokens} /> per 1,000 tokens</>}
          </p>
          {selected?.address === model.owner && !model.retired && <SetPriceForm model={model.id} onChanged={data.reload} />}
          {model.versions.length === 0 ? (
            <p className="muted">No version yet (its job has not been accepted).</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Version</th>
                  <th>Lineage</th>
                  <th>Adapter</th>
                  <th>Loss (train / eval / verified)</th>
                  <th>Trainer</th>
                  <th>Block</th>
                  <th>Paid inferences</th>
                  <th>Served as</th>
                </tr>
              </thead>
              <tbody>
                {model.versions.map((v) => (
                  <tr key={v.version}>
                    <td>v{v.version}</td>
                    <td>
                      {baseName(v.baseModel)} →{' '}
                      {v.datanets.map((d) => `datanet ${d.datanet} v${d.version} (${d.rowCount} rows)`).join(', ')}
                    </td>
                    <td><code title={v.adapterHash}>{v.adapterHash.slice(0, 12)}…</code> {String(v.adapterBytes)} bytes</td>
                    <td>{ppbLoss(v.trainLossPpb)} / {ppbLoss(v.evalLossPpb)} / {ppbLoss(v.verifiedEvalLossPpb)}</td>
                    <td><Address address={v.trainer} /></td>
                    <td>{v.createdAt}</td>
                    <td>{String(v.paidInferences)}</td>
                    <td><code>model-{model.id}-v{v.version}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </div>
  );
}
