import { useAccounts } from '../chain/AccountContext';
import type { Extrinsic } from '../chain/submit';
import { Amount } from './Amount';
import { useAsync } from './useAsync';

/** The transaction fee the node estimates for `tx` signed by the selected account. */
export function TxFee({ tx, deps }: { tx: () => Extrinsic | null; deps: readonly unknown[] }) {
  const { selected } = useAccounts();
  const fee = useAsync(async () => {
    const built = tx();
    if (!built || !selected) return null;
    const info = await built.paymentInfo(selected.address);
    return BigInt(info.partialFee.toString());
  }, [selected?.address, ...deps]);
  if (fee.error) return <span className="muted">fee estimate unavailable: {fee.error}</span>;
  if (fee.data === null) return <span className="muted">estimating fee…</span>;
  return (
    <span>
      transaction fee ≈ <Amount planck={fee.data} />
    </span>
  );
}
