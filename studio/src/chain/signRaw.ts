// Signs raw bytes (an inference receipt's signing payload) with the selected account: in the
// page for a dev account, through the extension's `signRaw` otherwise. The extension wraps the
// bytes in `<Bytes>…</Bytes>` before signing; the chain accepts both forms.
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { extensionSigner, type Account } from './accounts';

export async function signBytes(account: Account, payloadHex: string): Promise<`0x${string}`> {
  if (account.kind === 'dev') return u8aToHex(account.pair.sign(hexToU8a(payloadHex)));
  const signer = await extensionSigner(account.source);
  if (!signer.signRaw) throw new Error('the extension cannot sign raw bytes');
  const { signature } = await signer.signRaw({ address: account.address, data: payloadHex, type: 'bytes' });
  return signature;
}
