// The sidecar's OpenAI-compatible routes with Tributary's extension fields (worker README,
// "HTTP API", "RAG citations"). Only what the studio reads is typed.
import { DONE, SseParser } from '../lib/sse';
import { sidecarFetch } from './http';

export interface ModelEntry {
  id: string;
  owned_by?: string;
  /** The on-chain model version the id serves, when registered with one. */
  chain?: { model: number; version: number };
}

export async function listModels(sidecarUrl: string): Promise<ModelEntry[]> {
  const response = await sidecarFetch(sidecarUrl, '/v1/models');
  const body = (await response.json()) as { data: ModelEntry[] };
  return body.data;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** `attribution` request values: span matches, gradient influence, or RAG with citations. */
export type AttributionMethod = 'suffix_span' | 'influence' | 'rag' | false;

export interface ScoredRow {
  datanet: number;
  row: number;
  parts_per_billion: number;
}

export interface AttributionRecord {
  method: string;
  scores: ScoredRow[];
  top: ScoredRow[];
  top_k: number;
  output: string;
  record_scale: string;
}

export interface Citation {
  datanet: number;
  row: number;
  text: string;
}

/** What a user asks to pay for an answer (worker README, "Inference receipts"). */
export interface ReceiptRequest {
  /** The paying account, SS58 or 0x-hex. */
  user: string;
  nonce: number;
  /** The most the user pays, planck as a decimal string. */
  max_fee: string;
  /** The last block in which the chain accepts the receipt. */
  expiry: number;
}

/** The unsigned receipt an answer carries: `InferenceReceipt` plus what to sign. */
export interface Receipt {
  id: string;
  model: number;
  version: number;
  tokens_in: number;
  tokens_out: number;
  max_fee: string;
  nonce: number;
  expiry: number;
  user: string;
  worker: string;
  genesis: string;
  output_hash: string;
  /** `tributary/receipt/v2` ‖ genesis hash ‖ SCALE receipt: the bytes the user signs (sr25519). */
  signing_payload: string;
}

/** One parsed `chat.completion.chunk`; the last carries the extensions. */
export interface ChatChunk {
  id: string;
  choices: { index: number; delta: { role?: string; content?: string }; finish_reason: string | null }[];
  attribution?: AttributionRecord;
  citations?: Citation[];
  receipt?: Receipt;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  attribution: AttributionMethod;
  receipt?: ReceiptRequest;
  max_tokens?: number;
  temperature?: number;
}

/** Hands the user's signature of a receipt to the sidecar, which queues it for the chain. */
export async function submitReceiptSignature(sidecarUrl: string, id: string, signature: string): Promise<void> {
  await sidecarFetch(sidecarUrl, '/v1/receipts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, signature }),
  });
}

/** Streams a chat completion: yields each chunk as its SSE event arrives, ends at `[DONE]`. */
export async function* streamChat(sidecarUrl: string, request: ChatRequest, signal?: AbortSignal): AsyncGenerator<ChatChunk> {
  const body = { ...request, stream: true, ...(request.attribution === false ? { attribution: undefined } : {}) };
  const response = await sidecarFetch(sidecarUrl, '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.body) throw new Error('the sidecar answered without a body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  for (;;) {
    const { value, done } = await reader.read();
    const events = done ? parser.finish() : parser.push(value);
    for (const event of events) {
      if (event.data === DONE) return;
      const parsed = JSON.parse(event.data) as ChatChunk | { error: { message: string } };
      if ('error' in parsed) throw new Error(parsed.error.message);
      yield parsed;
    }
    if (done) return;
  }
}
