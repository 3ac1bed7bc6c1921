import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { devAccounts, extensionAccounts, type Account } from './accounts';

interface AccountState {
  accounts: Account[];
  selected: Account | null;
  select(address: string): void;
  /** Asks the polkadot.js extension for its accounts; returns a note for the person. */
  connectExtension(): Promise<string>;
}

const AccountContext = createContext<AccountState | null>(null);
const SELECTED_KEY = 'tributary-studio-account';
const DEFAULT_ACCOUNT = 'Charlie';

export function AccountProvider({ children }: { children: ReactNode }) {
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [selectedAddress, setSelectedAddress] = useState(() => localStorage.getItem(SELECTED_KEY));

  useEffect(() => {
    void devAccounts().then((dev) => setAccounts((current) => [...dev, ...current.filter((a) => a.kind !== 'dev')]));
  }, []);

  const select = (address: string) => {
    localStorage.setItem(SELECTED_KEY, address);
    setSelectedAddress(address);
  };

  const connectExtension = async () => {
    const found = await extensionAccounts();
    setAccounts((current) => [...current.filter((a) => a.kind !== 'extension'), ...found]);
    return found.length ? `${found.length} extension account(s) added` : 'no polkadot.js extension answered (dev accounts still work)';
  };

  // Charlie by default: Alice and Bob are the dev network's validators, whose off-chain workers
  // sign transactions with the same keys and so compete with the studio for their nonces.
  const selected = accounts.find((a) => a.address === selectedAddress) ?? accounts.find((a) => a.name === DEFAULT_ACCOUNT) ?? accounts[0] ?? null;
  return (
    <AccountContext.Provider value={{ accounts, selected, select, connectExtension }}>{children}</AccountContext.Provider>
  );
}

export function useAccounts(): AccountState {
  const state = useContext(AccountContext);
  if (!state) throw new Error('useAccounts outside AccountProvider');
  return state;
}
