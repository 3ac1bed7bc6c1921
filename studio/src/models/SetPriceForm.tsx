// The owner's price per 1,000 tokens: receipts for a model without a price are refused
// (`attribution` checks it), so a model earns nothing until its owner sets one.
import { useState, type FormEvent } from 'react';
import { useApi, useChain } from '../chain/ChainContext';
import { Notice } from '../components/Notice';
import { useExtrinsic } from '../components/useExtrinsic';
import { parseBalance } from '../lib/balance';

export function SetPriceForm({ model, onChanged }: { model: number; onChanged(): void }) {
  const api = useApi();
  const { decimals, symbol } = useChain();
  const [text, setText] = useState('0.001');
  const submitter = useExtrinsic();
  const price = parseBalance(text, decimals);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (price === null) return;
    if (await submitter.run(api.tx.models.setPrice(model, price), 'price set')) onChanged();
  };
  return (
    <form className="row-actions" onSubmit={submit} aria-label={`Price of model ${model}`}>
      <label>
        Price per 1,000 tokens <input className="fee-input" value={text} onChange={(e) => setText(e.target.value)} inputMode="decimal" aria-label="Price per 1,000 tokens" /> {symbol}
      </label>
      <button type="submit" disabled={submitter.busy || price === null}>Sign and set price</button>
      {price === null && <Notice kind="error">not an amount in {symbol}</Notice>}
      <Notice kind="info">{submitter.status}</Notice>
      <Notice kind="error">{submitter.error}</Notice>
    </form>
  );
}
