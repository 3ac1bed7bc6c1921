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

/** One parsed `chat.completion.chunk`; the last carries the extensions. */
export interface ChatChunk {
  id: string;
  choices: { index: number; delta: { role?: string; content?: string }; finish_reason: string | null }[];
  attribution?: AttributionRecord;
  citations?: Citation[];
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  attribution: AttributionMethod;
  max_tokens?: number;
  temperature?: number;
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
