// Requests to a worker sidecar, through the studio server's forwarding route (sidecarProxy.ts:
// the sidecar sends no CORS headers). Errors come back in OpenAI's shape
// `{"error": {"message", "type", "param", "code"}}`, which is turned into one sentence.

const PROXY_PREFIX = '/sidecar-proxy';
const TARGET_HEADER = 'x-sidecar-target';

export class SidecarError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

export async function sidecarFetch(sidecarUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(TARGET_HEADER, sidecarUrl.replace(/\/+$/, ''));
  let response: Response;
  try {
    response = await fetch(`${PROXY_PREFIX}${path}`, { ...init, headers });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new SidecarError(`cannot reach the studio server to forward to ${sidecarUrl}: ${String(error)}`, 0, null);
  }
  if (!response.ok) throw await errorOf(response, sidecarUrl, path);
  return response;
}

async function errorOf(response: Response, sidecarUrl: string, path: string): Promise<SidecarError> {
  const body = await response.text();
  try {
    const parsed = JSON.parse(body) as { error?: { message?: string; code?: string | null } };
    if (parsed.error?.message) {
      return new SidecarError(`${sidecarUrl}${path}: ${parsed.error.message}`, response.status, parsed.error.code ?? null);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return new SidecarError(`${sidecarUrl}${path} answered ${response.status}: ${body.slice(0, 200)}`, response.status, null);
}
