// The sidecar's content store: rows go in with `PUT /store` (operator API only) and come out with
// `GET /store/{hash}` (public API, falling back to the sidecar's peers). Hashes are blake2-256;
// the sidecar writes them as bare hex, the chain as 0x-hex.
import { sidecarFetch } from './http';

export function toChainHash(hash: string): `0x${string}` {
  const bare = hash.trim().toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{64}$/.test(bare)) throw new Error(`not a blake2-256 hash: ${hash}`);
  return `0x${bare}`;
}

/** Stores `text` and returns its blake2-256 hash as the chain writes it (0x-hex). */
export async function putObject(operatorUrl: string, text: string, signal?: AbortSignal): Promise<`0x${string}`> {
  const response = await sidecarFetch(operatorUrl, '/store', {
    method: 'PUT',
    body: new TextEncoder().encode(text),
    headers: { 'content-type': 'application/octet-stream' },
    signal,
  });
  const stored = (await response.json()) as { hash: string };
  return toChainHash(stored.hash);
}

/** The stored bytes under `hash`, as text (invalid UTF-8 replaced). */
export async function getObjectText(sidecarUrl: string, hash: string, signal?: AbortSignal): Promise<string> {
  const bare = toChainHash(hash).slice(2);
  const response = await sidecarFetch(sidecarUrl, `/store/${bare}`, { signal });
  return new TextDecoder().decode(await response.arrayBuffer());
}
