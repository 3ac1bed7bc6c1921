import { useState } from 'react';
import { useApi, useChain } from '../chain/ChainContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import { loadPublishedVersions } from '../datanets/queries';
import { CreateJobForm } from '../models/CreateJobForm';
import { loadBaseModels, loadJobs, loadWorkers } from '../models/queries';
import { WorkersPanel } from '../models/WorkersPanel';
import { JobProgress } from '../models/JobProgress';
import { useExtrinsic } from '../components/useExtrinsic';

/** Open a fine-tune job; base models and jobs as the chain holds them, re-read every block. */
export function ModelFactoryPage() {
  const api = useApi();
  const { bestBlock } = useChain();
  const [opening, setOpening] = useState(false);
  const data = useAsync(async () => {
    const [bases, versions] = await Promise.all([loadBaseModels(api), loadPublishedVersions(api)]);
    return { bases, versions };
  }, [api]);
  // Jobs move on their own (draw, training, verification), so they follow the chain's head.
  const jobs = useAsync(() => loadJobs(api), [api, bestBlock]);
  const workers = useAsync(() => loadWorkers(api), [api]);
  const poker = useExtrinsic();
  // An open job whose draw found too few workers waits for someone to ask for a new draw.
  const poke = async (job: number) => {
    if (await poker.run(api.tx.models.pokeJob(job), `a draw for job ${job} is scheduled`)) jobs.reload();
  };
  return (
    <div className="page">
      <header className="page-header">
        <h2>ModelFactory</h2>
        <button type="button" className="link" onClick={() => { data.reload(); jobs.reload(); }}>Refresh</button>
      </header>
      <Notice kind="error">{data.error ?? jobs.error}</Notice>
      {!opening && <button type="button" onClick={() => setOpening(true)} disabled={!data.data}>New fine-tune job</button>}
      {opening && data.data && <CreateJobForm bases={data.data.bases} versions={data.data.versions} onCreated={jobs.reload} />}
      {workers.data && <WorkersPanel workers={workers.data} onChanged={workers.reload} />}
      <section className="panel" aria-label="Base models">
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
      <section className="panel" aria-label="Fine-tune jobs">
        <h3>Fine-tune jobs</h3>
        {jobs.data && jobs.data.length === 0 && <p className="muted">No job yet.</p>}
        <table>
          <thead>
            <tr><th>Job</th><th>Model</th><th>State</th><th>Datanets</th><th>Trainer</th><th>Attempt</th><th>Deadline</th><th>Fee</th><th>Owner</th><th></th></tr>
          </thead>
          <tbody>
            {jobs.data?.map((job) => (
              <tr key={job.id}>
                <td>{job.id}</td>
                <td>{job.model}</td>
                <td title={job.stateDetail}>
                  {job.state}
                  {job.state === 'Training' && <JobProgress job={job.id} attempt={job.attempt} />}
                </td>
                <td>{job.datanets.map((d) => `${d.datanet} v${d.version}`).join(', ')}</td>
                <td>{job.trainer ? <Address address={job.trainer} /> : '—'}</td>
                <td>{job.attempt}</td>
                <td>{job.deadline}</td>
                <td><Amount planck={job.fee} /></td>
                <td><Address address={job.owner} /></td>
                <td>
                  {job.state === 'Open' && (
                    <button type="button" className="link" disabled={poker.busy} onClick={() => void poke(job.id)}>Ask for a draw</button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Notice kind="info">{poker.status}</Notice>
        <Notice kind="error">{poker.error}</Notice>
      </section>
    </div>
  );
}
