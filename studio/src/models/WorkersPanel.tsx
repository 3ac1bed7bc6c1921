// The workers that train and verify jobs. A validator registers its account as a worker (the
// chain requires it to be an Aura authority and holds `WorkerBond`); until at least
// `VerifiersPerJob + 1` workers are registered, jobs stay open.
import { useState, type FormEvent } from 'react';
import { useApi } from '../chain/ChainContext';
import { useSettings } from '../config/SettingsContext';
import { Address } from '../components/Address';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { useExtrinsic } from '../components/useExtrinsic';
import type { WorkerSummary } from './queries';

export function WorkersPanel({ workers, onChanged }: { workers: WorkerSummary[]; onChanged(): void }) {
  const api = useApi();
  const { settings } = useSettings();
  const [endpoint, setEndpoint] = useState(settings.sidecarUrl);
  const [device, setDevice] = useState('cpu');
  const submitter = useExtrinsic();
  const bond = (api.consts.models as Record<string, { toString(): string } | undefined>).workerBond;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await submitter.run(api.tx.models.registerWorker(endpoint, device), 'registered as a worker')) onChanged();
  };
  return (
    <section className="panel" aria-label="Workers">
      <h3>Workers ({workers.length})</h3>
      {workers.length === 0 ? (
        <p className="muted">No worker is registered: jobs wait until validators register theirs.</p>
      ) : (
        <table>
          <thead>
            <tr><th>Account</th><th>Endpoint</th><th>Device</th><th>Bond</th><th>Since block</th></tr>
          </thead>
          <tbody>
            {workers.map((w) => (
              <tr key={w.account}>
                <td><Address address={w.account} /></td>
                <td>{w.endpoint}</td>
                <td>{w.device}</td>
                <td><Amount planck={w.bond} /></td>
                <td>{w.registeredAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="row-actions" onSubmit={submit} aria-label="Register as a worker">
        <label>Endpoint <input value={endpoint} onChange={(e) => setEndpoint(e.target.value)} aria-label="Worker endpoint" /></label>
        <label>Device <input className="fee-input" value={device} onChange={(e) => setDevice(e.target.value)} aria-label="Worker device" /></label>
        <button type="submit" disabled={submitter.busy}>Register the selected account as a worker</button>
        {bond && <small className="muted">holds <Amount planck={BigInt(bond.toString())} />; validators only</small>}
      </form>
      <Notice kind="info">{submitter.status}</Notice>
      <Notice kind="error">{submitter.error}</Notice>
    </section>
  );
}
