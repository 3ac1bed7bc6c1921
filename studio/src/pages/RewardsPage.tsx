import { useAccounts } from '../chain/AccountContext';
import { useApi } from '../chain/ChainContext';
import { bigintOf, field, numberOf, variant } from '../chain/codec';
import type { Codec } from '@polkadot/types/types';
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
    // RewardEntry { record, role, amount } (pallets/rewards/src/types.rs), oldest first.
    const entries = (history as unknown as Codec[]).map((entry) => ({
      record: numberOf(field(entry, 'record')),
      role: variant(field(entry, 'role')),
      amount: bigintOf(field(entry, 'amount')),
    }));
    return { claimable: bigintOf(claimable), history: entries.reverse() };
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
          <h3>History <small className="muted">(newest first)</small></h3>
          {data.data.history.length === 0 ? (
            <p className="muted">No rewards yet.</p>
          ) : (
            <table className="history">
              <thead>
                <tr><th>Attribution record</th><th>Role</th><th>Amount</th></tr>
              </thead>
              <tbody>
                {data.data.history.map((entry, i) => (
                  <tr key={i}>
                    <td>{entry.record}</td>
                    <td>{entry.role}</td>
                    <td><Amount planck={entry.amount} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
    </div>
  );
}
