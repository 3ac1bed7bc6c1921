import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useAccounts } from '../chain/AccountContext';
import { useChain } from '../chain/ChainContext';
import { AttributionPanel } from '../chat/AttributionPanel';
import { ReceiptPanel } from '../chat/ReceiptPanel';
import { freshNonce } from '../chat/receiptTracking';
import { parseBalance } from '../lib/balance';
import { useSettings } from '../config/SettingsContext';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import {
  listModels,
  streamChat,
  type AttributionMethod,
  type AttributionRecord,
  type ChatMessage,
  type Citation,
  type Receipt,
  type ReceiptRequest,
} from '../sidecar/openai';

/** Blocks a receipt stays valid: half an hour of 3-second blocks, time to sign and be submitted. */
const RECEIPT_LIFETIME_BLOCKS = 600;
/** The sidecar's model list is read again this often: a version the chain accepts appears once
 * the sidecar has fetched its adapter, seconds to a minute after the job completes. */
const MODELS_POLL_MS = 5000;

const METHODS: { value: string; label: string }[] = [
  { value: 'none', label: 'No attribution' },
  { value: 'suffix_span', label: 'Span matches' },
  { value: 'influence', label: 'Gradient influence' },
  { value: 'rag', label: 'RAG with citations' },
];

function methodOf(value: string): AttributionMethod {
  return value === 'none' ? false : (value as AttributionMethod);
}

export function ChatPage() {
  const { settings } = useSettings();
  const models = useAsync(() => listModels(settings.sidecarUrl), [settings.sidecarUrl]);
  const reloadModels = models.reload;
  useEffect(() => {
    const timer = setInterval(reloadModels, MODELS_POLL_MS);
    return () => clearInterval(timer);
  }, [reloadModels]);
  const [model, setModel] = useState('');
  const [method, setMethod] = useState('none');
  const [maxTokens, setMaxTokens] = useState(128);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState('');
  const [streaming, setStreaming] = useState<string | null>(null);
  const [record, setRecord] = useState<AttributionRecord | null>(null);
  const [citations, setCitations] = useState<Citation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [payWithReceipt, setPayWithReceipt] = useState(false);
  const [maxFeeText, setMaxFeeText] = useState('1');
  const [receipt, setReceipt] = useState<{ receipt: Receipt; user: string } | null>(null);
  const { api, bestBlock, decimals, symbol } = useChain();
  const { selected } = useAccounts();
  const chainModel = models.data?.find((m) => m.id === model)?.chain ?? null;
  const abort = useRef<AbortController | null>(null);

  // Prefer a model version the chain knows (`chain` in /v1/models): it was trained on datanet
  // rows, so its answers can be attributed. The base model has no rows to credit.
  useEffect(() => {
    const onChain = models.data?.find((m) => m.chain);
    const first = onChain ?? models.data?.[0];
    if (!model && first) {
      setModel(first.id);
      setMethod(onChain ? 'suffix_span' : 'none');
    }
  }, [models.data, model]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft.trim() || !model) return;
    const history: ChatMessage[] = [...messages, { role: 'user', content: draft.trim() }];
    setMessages(history);
    setDraft('');
    setError(null);
    setRecord(null);
    setCitations(null);
    setReceipt(null);
    let receiptRequest: ReceiptRequest | undefined;
    if (payWithReceipt && chainModel) {
      const maxFee = parseBalance(maxFeeText, decimals);
      if (!api || !selected || bestBlock === null || maxFee === null) {
        setError(maxFee === null ? `the most to pay is not an amount in ${symbol}` : 'a receipt needs the chain and an account');
        return;
      }
      receiptRequest = { user: selected.address, nonce: await freshNonce(api, selected.address), max_fee: maxFee.toString(), expiry: bestBlock + RECEIPT_LIFETIME_BLOCKS };
    }
    setStreaming('');
    const controller = new AbortController();
    abort.current = controller;
    let answer = '';
    try {
      for await (const chunk of streamChat(settings.sidecarUrl, { model, messages: history, attribution: methodOf(method), receipt: receiptRequest, max_tokens: maxTokens }, controller.signal)) {
        answer += chunk.choices[0]?.delta.content ?? '';
        setStreaming(answer);
        if (chunk.attribution) setRecord(chunk.attribution);
        if (chunk.citations) setCitations(chunk.citations);
        if (chunk.receipt && receiptRequest) setReceipt({ receipt: chunk.receipt, user: receiptRequest.user });
      }
    } catch (reason) {
      if (!(reason instanceof DOMException && reason.name === 'AbortError')) setError(reason instanceof Error ? reason.message : String(reason));
    } finally {
      abort.current = null;
      setStreaming(null);
      if (answer) setMessages([...history, { role: 'assistant', content: answer }]);
    }
  };

  return (
    <div className="page chat-page">
      <header className="page-header">
        <h2>Chat</h2>
        <label>
          Model{' '}
          <select value={model} onChange={(event) => setModel(event.target.value)} aria-label="Model">
            {models.data?.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}{m.chain ? ` (chain model ${m.chain.model} v${m.chain.version})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Attribution{' '}
          <select value={method} onChange={(event) => setMethod(event.target.value)} aria-label="Attribution method">
            {METHODS.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
          </select>
        </label>
        <label>
          Max tokens{' '}
          <input type="number" min={1} max={2048} value={maxTokens} onChange={(event) => setMaxTokens(Number(event.target.value))} />
        </label>
        <label title={chainModel ? 'sign a receipt that pays for the answer' : 'only model versions registered on chain issue receipts'}>
          <input type="checkbox" checked={payWithReceipt && !!chainModel} disabled={!chainModel} onChange={(event) => setPayWithReceipt(event.target.checked)} />
          Pay with a receipt, at most{' '}
          <input className="fee-input" value={maxFeeText} onChange={(event) => setMaxFeeText(event.target.value)} inputMode="decimal" aria-label="Most to pay" /> {symbol}
        </label>
        <button type="button" className="link" onClick={() => { setMessages([]); setRecord(null); setCitations(null); setReceipt(null); }}>
          New conversation
        </button>
      </header>
      <Notice kind="error">{models.error && `models: ${models.error}`}</Notice>
      <div className="conversation" aria-live="polite">
        {messages.map((message, i) => (
          <div key={i} className={`message ${message.role}`}>
            <strong>{message.role === 'user' ? 'You' : model}</strong>
            <p>{message.content}</p>
          </div>
        ))}
        {streaming !== null && (
          <div className="message assistant streaming">
            <strong>{model}</strong>
            <p>{streaming || '…'}</p>
          </div>
        )}
      </div>
      <Notice kind="error">{error}</Notice>
      <form className="chat-input" onSubmit={send}>
        <textarea rows={2} value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="Ask the model" aria-label="Message" />
        {streaming !== null ? (
          <button type="button" onClick={() => abort.current?.abort()}>Stop</button>
        ) : (
          <button type="submit" disabled={!model || !draft.trim()}>Send</button>
        )}
      </form>
      <AttributionPanel record={record} citations={citations} />
      {receipt && <ReceiptPanel receipt={receipt.receipt} user={receipt.user} />}
    </div>
  );
}
