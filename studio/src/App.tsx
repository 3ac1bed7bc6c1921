import { useEffect, useState, type ReactNode } from 'react';
import { AccountProvider } from './chain/AccountContext';
import { ChainProvider, useChain } from './chain/ChainContext';
import { AccountPicker } from './components/AccountPicker';
import { SettingsProvider, useSettings } from './config/SettingsContext';
import { SettingsPanel } from './config/SettingsPanel';
import { AnalyticsPage } from './pages/AnalyticsPage';
import { ChatPage } from './pages/ChatPage';
import { DatanetsPage } from './pages/DatanetsPage';
import { ModelFactoryPage } from './pages/ModelFactoryPage';
import { ModelsPage } from './pages/ModelsPage';
import { RewardsPage } from './pages/RewardsPage';

interface PageDef {
  id: string;
  title: string;
  render(): ReactNode;
  /** Pages that read or write the chain wait for the connection; Chat needs only the sidecar. */
  needsChain: boolean;
}

const PAGES: PageDef[] = [
  { id: 'datanets', title: 'Datanets', render: () => <DatanetsPage />, needsChain: true },
  { id: 'factory', title: 'ModelFactory', render: () => <ModelFactoryPage />, needsChain: true },
  { id: 'models', title: 'Models', render: () => <ModelsPage />, needsChain: true },
  { id: 'chat', title: 'Chat', render: () => <ChatPage />, needsChain: false },
  { id: 'rewards', title: 'Rewards', render: () => <RewardsPage />, needsChain: true },
  { id: 'analytics', title: 'Analytics', render: () => <AnalyticsPage />, needsChain: true },
];

/** The page named by the URL hash (#/chat), so a page can be bookmarked and reloaded. */
function usePageFromHash(): [string, (id: string) => void] {
  const read = () => window.location.hash.replace(/^#\/?/, '') || PAGES[0].id;
  const [page, setPage] = useState(read);
  useEffect(() => {
    const onChange = () => setPage(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [page, (id) => (window.location.hash = `/${id}`)];
}

function ChainStatus() {
  const { status, error, chainName, bestBlock } = useChain();
  const { settings } = useSettings();
  const words = status === 'ready' ? `${chainName} · block #${bestBlock ?? '…'}` : status === 'error' ? error : `connecting to ${settings.nodeUrl}…`;
  return <span className={`chain-status chain-${status}`} title={settings.nodeUrl}>{words}</span>;
}

function Shell() {
  const [pageId, go] = usePageFromHash();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const chain = useChain();
  const page = PAGES.find((p) => p.id === pageId) ?? PAGES[0];
  return (
    <div className="shell">
      <header className="topbar">
        <h1>Tributary AI Studio</h1>
        <nav aria-label="Pages">
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} className={p.id === page.id ? 'active' : ''} onClick={() => go(p.id)}>
              {p.title}
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          <ChainStatus />
          <AccountPicker />
          <button type="button" className="link" onClick={() => setSettingsOpen(!settingsOpen)} aria-expanded={settingsOpen}>
            Settings
          </button>
        </div>
      </header>
      {settingsOpen && <SettingsPanel onClose={() => setSettingsOpen(false)} />}
      <main>
        {page.needsChain && chain.status !== 'ready' ? (
          <p className="muted">Waiting for the node ({chain.error ?? 'connecting'}). Is scripts/dev.sh running? The address is in Settings.</p>
        ) : (
          page.render()
        )}
      </main>
    </div>
  );
}

export function App() {
  return (
    <SettingsProvider>
      <ChainProvider>
        <AccountProvider>
          <Shell />
        </AccountProvider>
      </ChainProvider>
    </SettingsProvider>
  );
}
