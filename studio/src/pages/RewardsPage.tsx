import { useAccounts } from '../chain/AccountContext';
import { useApi } from '../chain/ChainContext';
import { bigintOf } from '../chain/codec';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import { useExtrinsic } from '../components/useExtrinsic';

/** What the selected account may claim (pallet-rewards `Claimable`), its history, and the claim. */
export function RewardsPage() {
  const api = useApi();
  const { selected } = useAccounts();
  const submitter = useExtrinsic();
  const address = selected?.address ?? '';
  const data = useAsync(async () => {
    if (!address) return null;
    const [claimable, history] = await Promise.all([api.query.rewards.claimable(address), api.query.rewards.history(address)]);
    return { claimable: bigintOf(claimable), history: history.toHuman() as unknown[] };
  }, [api, address]);
  const claim = async () => {
    if (await submitter.run(api.tx.rewards.claim(address), 'claimed')) data.reload();
  };
  return (
    <div className="page">
      <header className="page-header">
        <h2>Rewards</h2>
        <button type="button" className="link" onClick={data.reload}>Refresh</button>
      </header>
      <Notice kind="error">{data.error}</Notice>
      {data.data && (
        <section className="panel">
          <p>
            Claimable by {selected?.name}: <strong><Amount planck={data.data.claimable} /></strong>
          </p>
          <button type="button" disabled={submitter.busy || data.data.claimable === 0n} onClick={() => void claim()}>
            Sign and claim
          </button>
          <Notice kind="info">{submitter.status}</Notice>
          <Notice kind="error">{submitter.error}</Notice>
          <h3>History</h3>
          {data.data.history.length === 0 ? (
            <p className="muted">No rewards yet.</p>
          ) : (
            <ol className="history">
              {data.data.history.map((entry, i) => (
                <li key={i}><code>{JSON.stringify(entry)}</code></li>
              ))}
            </ol>
          )}
        </section>
      )}
    </div>
  );
}
