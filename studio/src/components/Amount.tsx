import { useChain } from '../chain/ChainContext';
import { formatBalance } from '../lib/balance';

/** A balance in the chain's own decimals and symbol. */
export function Amount({ planck }: { planck: bigint }) {
  const { decimals, symbol } = useChain();
  return <span className="amount" title={`${planck} planck`}>{formatBalance(planck, decimals, symbol)}</span>;
}
