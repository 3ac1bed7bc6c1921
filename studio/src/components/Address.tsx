import { useAccounts } from '../chain/AccountContext';

/** An account, by its dev/extension name when the studio knows it, else shortened SS58. */
export function Address({ address }: { address: string }) {
  const { accounts } = useAccounts();
  const known = accounts.find((account) => account.address === address);
  const short = `${address.slice(0, 6)}…${address.slice(-4)}`;
  return <span className="address" title={address}>{known ? known.name : short}</span>;
}
