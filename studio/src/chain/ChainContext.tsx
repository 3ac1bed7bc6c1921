// One ApiPromise for the whole app, built from the node's own metadata (no generated types): the
// runtime's pallets are discovered at connect time, so a runtime upgrade needs no studio change.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { DEFAULT_DECIMALS, DEFAULT_SYMBOL } from '../lib/balance';
import { useSettings } from '../config/SettingsContext';

export interface ChainState {
  api: ApiPromise | null;
  status: 'connecting' | 'ready' | 'error';
  error: string | null;
  chainName: string;
  decimals: number;
  symbol: string;
  bestBlock: number | null;
}

const initial: ChainState = {
  api: null,
  status: 'connecting',
  error: null,
  chainName: '',
  decimals: DEFAULT_DECIMALS,
  symbol: DEFAULT_SYMBOL,
  bestBlock: null,
};

const ChainContext = createContext<ChainState>(initial);

export function ChainProvider({ children }: { children: ReactNode }) {
  const { settings } = useSettings();
  const [state, setState] = useState<ChainState>(initial);

  useEffect(() => {
    let cancelled = false;
    let unsubscribeHeads: (() => void) | null = null;
    setState({ ...initial });
    // Keep retrying: the node is often still starting when the studio is opened.
    const provider = new WsProvider(settings.nodeUrl, 2500);
    provider.on('error', () => {
      if (!cancelled) setState((s) => ({ ...s, status: s.api ? s.status : 'error', error: `cannot reach ${settings.nodeUrl}; retrying` }));
    });
    const api = new ApiPromise({ provider, throwOnConnect: false });
    api.isReady
      .then(async (ready) => {
        const [chainName, properties] = await Promise.all([ready.rpc.system.chain(), ready.rpc.system.properties()]);
        const decimals = properties.tokenDecimals.unwrapOr(null)?.[0]?.toNumber() ?? DEFAULT_DECIMALS;
        const symbol = properties.tokenSymbol.unwrapOr(null)?.[0]?.toString() ?? DEFAULT_SYMBOL;
        if (cancelled) return;
        setState({ api: ready, status: 'ready', error: null, chainName: chainName.toString(), decimals, symbol, bestBlock: null });
        unsubscribeHeads = await ready.rpc.chain.subscribeNewHeads((header) => {
          if (!cancelled) setState((s) => ({ ...s, bestBlock: header.number.toNumber() }));
        });
      })
      .catch((error: unknown) => {
        if (!cancelled) setState((s) => ({ ...s, status: 'error', error: String(error) }));
      });
    return () => {
      cancelled = true;
      unsubscribeHeads?.();
      void api.disconnect();
    };
  }, [settings.nodeUrl]);

  return <ChainContext.Provider value={state}>{children}</ChainContext.Provider>;
}

export function useChain(): ChainState {
  return useContext(ChainContext);
}

/** The connected api, for components rendered only once the chain is ready. */
export function useApi(): ApiPromise {
  const { api } = useChain();
  if (!api) throw new Error('useApi before the chain is ready');
  return api;
}
