import { useApi } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import { loadBaseModels, loadJobs } from '../models/queries';

/** Base models and fine-tune jobs as the chain holds them (opening a job is not built yet). */
export function ModelFactoryPage() {
  const api = useApi();
  const data = useAsync(async () => {
    const [bases, jobs] = await Promise.all([loadBaseModels(api), loadJobs(api)]);
    return { bases, jobs };
  }, [api]);
  return (
    <div className="page">
      <header className="page-header">
        <h2>ModelFactory</h2>
        <button type="button" className="link" onClick={data.reload}>Refresh</button>
      </header>
      <Notice kind="info">
        Opening a fine-tune job from the studio is not built yet; until then use polkadot.js apps
        (models.createModel). Jobs opened there show up below.
      </Notice>
      <Notice kind="error">{data.error}</Notice>
      <section className="panel">
        <h3>Base models</h3>
        <table>
          <thead>
            <tr><th>#</th><th>Name</th><th>Architecture</th><th>Parameters</th><th>License</th><th>Weights</th></tr>
          </thead>
          <tbody>
            {data.data?.bases.map((b) => (
              <tr key={b.id}>
                <td>{b.id}</td>
                <td>{b.name}</td>
                <td>{b.architecture}</td>
                <td>{b.parameterCount.toLocaleString()}</td>
                <td>{b.license}</td>
                <td><code title={b.weightsHash}>{b.weightsHash.slice(0, 12)}…</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h3>Fine-tune jobs</h3>
        {data.data && data.data.jobs.length === 0 && <p className="muted">No job yet.</p>}
        <table>
          <thead>
            <tr><th>Job</th><th>Model</th><th>State</th><th>Datanets</th><th>Trainer</th><th>Attempt</th><th>Deadline</th><th>Fee</th><th>Owner</th></tr>
          </thead>
          <tbody>
            {data.data?.jobs.map((job) => (
              <tr key={job.id}>
                <td>{job.id}</td>
                <td>{job.model}</td>
                <td title={job.stateDetail}>{job.state}</td>
                <td>{job.datanets.map((d) => `${d.datanet} v${d.version}`).join(', ')}</td>
                <td>{job.trainer ? <Address address={job.trainer} /> : '—'}</td>
                <td>{job.attempt}</td>
                <td>{job.deadline}</td>
                <td><Amount planck={job.fee} /></td>
                <td><Address address={job.owner} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
