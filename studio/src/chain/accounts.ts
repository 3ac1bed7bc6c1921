// Signing accounts: the well-known dev accounts (funded on the dev network, signed in the page,
// no extension needed) and, when the polkadot.js extension is installed, its accounts.
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Signer } from '@polkadot/api/types';

export const DEV_ACCOUNT_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;

/** Tributary's SS58 prefix (README: "SS58 prefix 42"). */
export const SS58_PREFIX = 42;

export type Account =
  | { kind: 'dev'; name: string; address: string; pair: KeyringPair }
  | { kind: 'extension'; name: string; address: string; source: string };

export async function devAccounts(): Promise<Account[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX });
  return DEV_ACCOUNT_NAMES.map((name) => {
    const pair = keyring.addFromUri(`//${name}`, { name });
    return { kind: 'dev', name, address: pair.address, pair };
  });
}

/** The extension's accounts, or none when no extension is installed or the person declines. */
export async function extensionAccounts(): Promise<Account[]> {
  // Loaded on demand: the package touches `window` at import time.
  const { web3Enable, web3Accounts } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable('Tributary AI Studio');
  if (extensions.length === 0) return [];
  const accounts = await web3Accounts({ ss58Format: SS58_PREFIX });
  return accounts.map((account) => ({
    kind: 'extension',
    name: `${account.meta.name ?? account.address.slice(0, 8)} (${account.meta.source})`,
    address: account.address,
    source: account.meta.source,
  }));
}

export async function extensionSigner(source: string): Promise<Signer> {
  const { web3FromSource } = await import('@polkadot/extension-dapp');
  const injected = await web3FromSource(source);
  return injected.signer;
}
