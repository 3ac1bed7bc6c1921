import { useState } from 'react';
import { useAccounts } from '../chain/AccountContext';

export function AccountPicker() {
  const { accounts, selected, select, connectExtension } = useAccounts();
  const [note, setNote] = useState<string | null>(null);
  return (
    <div className="account-picker">
      <label>
        Account{' '}
        <select value={selected?.address ?? ''} onChange={(event) => select(event.target.value)} aria-label="Signing account">
          {accounts.map((account) => (
            <option key={account.address} value={account.address}>
              {account.name} {account.kind === 'dev' ? '(dev)' : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="link" onClick={() => void connectExtension().then(setNote, (e: unknown) => setNote(String(e)))}>
        Use extension
      </button>
      {note && <small className="muted">{note}</small>}
    </div>
  );
}
