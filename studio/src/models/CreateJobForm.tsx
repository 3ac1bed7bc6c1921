// Open a fine-tune job: `models.createModel(name, base model, datanet versions, settings, fee)`.
// The chain creates the model, holds the fee and draws a trainer and verifiers among the
// validators' workers; the jobs table follows the job from there.
import { useState, type FormEvent } from 'react';
import { useApi, useChain } from '../chain/ChainContext';
import { eventsNamed } from '../chain/submit';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { TxFee } from '../components/TxFee';
import { useExtrinsic } from '../components/useExtrinsic';
import type { PublishedVersion } from '../datanets/queries';
import { formatBalance, parseBalance } from '../lib/balance';
import { utf8Length } from '../lib/rowSplitter';
import type { BaseModelSummary } from './queries';
import {
  DEFAULT_SETTINGS,
  TARGET_MODULES,
  toChainSettings,
  validateSettings,
  type MethodName,
  type OverflowName,
  type PackingName,
  type SettingsDraft,
  type TargetModuleName,
} from './trainingSettings';

interface Limits {
  minJobFee: bigint;
  maxDatanetsPerJob: number;
  maxNameLen: number;
}

export function readModelLimits(consts: Record<string, { toString(): string } | undefined>): Limits {
  const missing = ['minJobFee', 'maxDatanetsPerJob', 'maxNameLen'].filter((name) => consts[name] === undefined);
  if (missing.length) throw new Error(`the runtime does not expose models constants: ${missing.join(', ')}`);
  return {
    minJobFee: BigInt(consts.minJobFee!.toString()),
    maxDatanetsPerJob: Number(consts.maxDatanetsPerJob!.toString()),
    maxNameLen: Number(consts.maxNameLen!.toString()),
  };
}

const versionKey = (v: { datanet: number; version: number }) => `${v.datanet}/${v.version}`;

export function CreateJobForm({ bases, versions, onCreated }: { bases: BaseModelSummary[]; versions: PublishedVersion[]; onCreated(): void }) {
  const api = useApi();
  const { decimals, symbol } = useChain();
  const limits = readModelLimits(api.consts.models as never);
  const [name, setName] = useState('');
  const [base, setBase] = useState(bases[0]?.id ?? 0);
  const [chosen, setChosen] = useState<string[]>([]);
  const [settings, setSettings] = useState<SettingsDraft>(DEFAULT_SETTINGS);
  const [feeText, setFeeText] = useState(() => formatBalance(limits.minJobFee, decimals, '').replace(/,/g, ''));
  const [created, setCreated] = useState<string | null>(null);
  const submitter = useExtrinsic();

  const fee = parseBalance(feeText, decimals);
  const refs = versions.filter((v) => chosen.includes(versionKey(v))).map((v) => ({ datanet: v.datanet, version: v.version }));
  const problems = [
    ...(bases.length === 0 ? ['the chain has no base model registered (root registers them: models.registerBaseModel)'] : []),
    ...(name.trim() ? [] : ['a model name is required']),
    ...(utf8Length(name) > limits.maxNameLen ? [`the name is longer than ${limits.maxNameLen} bytes`] : []),
    ...(refs.length === 0 ? ['choose at least one published datanet version (NoDatanets)'] : []),
    ...(refs.length > limits.maxDatanetsPerJob ? [`at most ${limits.maxDatanetsPerJob} datanet versions per job`] : []),
    ...(fee === null ? [`the fee is not an amount in ${symbol}`] : fee < limits.minJobFee ? [`the fee is below the chain's minimum, ${formatBalance(limits.minJobFee, decimals, symbol)} (FeeTooLow)`] : []),
    ...validateSettings(settings),
  ];
  const build = () => api.tx.models.createModel(name.trim(), base, refs, toChainSettings(settings), fee ?? 0n);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (problems.length) return;
    const included = await submitter.run(build(), 'job opened');
    const job = included && eventsNamed(included, 'models', 'JobCreated')[0];
    if (job) {
      setCreated(`job ${job.event.data[0].toString()} opened; its state below follows each block`);
      onCreated();
    }
  };

  const number = (key: keyof SettingsDraft, step = 1) => (
    <input type="number" step={step} min={0} value={String(settings[key])} onChange={(e) => setSettings({ ...settings, [key]: Number(e.target.value) })} />
  );
  const toggle = (key: keyof SettingsDraft) => (
    <input type="checkbox" checked={Boolean(settings[key])} onChange={(e) => setSettings({ ...settings, [key]: e.target.checked })} />
  );
  const toggleTarget = (target: TargetModuleName) =>
    setSettings({ ...settings, targets: settings.targets.includes(target) ? settings.targets.filter((t) => t !== target) : TARGET_MODULES.filter((t) => t === target || settings.targets.includes(t)) });

  return (
    <form className="panel" onSubmit={submit} aria-label="Open a fine-tune job">
      <h3>Open a fine-tune job</h3>
      <label>
        Model name
        <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Base model
        <select value={base} onChange={(e) => setBase(Number(e.target.value))}>
          {bases.map((b) => <option key={b.id} value={b.id}>{b.name} ({b.parameterCount.toLocaleString()} parameters, {b.license})</option>)}
        </select>
      </label>
      <fieldset>
        <legend>Datanet versions (at most {limits.maxDatanetsPerJob})</legend>
        {versions.length === 0 && <p className="muted">No datanet has a published version yet.</p>}
        {versions.map((v) => (
          <label key={versionKey(v)} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(versionKey(v))}
              onChange={() => setChosen(chosen.includes(versionKey(v)) ? chosen.filter((k) => k !== versionKey(v)) : [...chosen, versionKey(v)])}
            />
            {v.datanetName} v{v.version} ({v.rowCount} rows)
          </label>
        ))}
      </fieldset>
      <fieldset className="settings-grid">
        <legend>Training settings (the chain's defaults)</legend>
        <label>Method
          <select value={settings.method} onChange={(e) => setSettings({ ...settings, method: e.target.value as MethodName })}>
            <option value="lora">LoRA</option>
            <option value="qlora-nf4">QLoRA (4-bit NF4 base)</option>
            <option value="qlora-int8">QLoRA (8-bit base)</option>
          </select>
        </label>
        <label>Rank {number('rank')}</label>
        <label>Alpha {number('alpha')}</label>
        <label>Learning rate {number('learningRate', 0.0001)}</label>
        <label>Epochs {number('epochs')}</label>
        <label>Batch size {number('batchSize')}</label>
        <label>Sequence length {number('sequenceLength')}</label>
        <label>Max steps (0: epochs decide) {number('maxSteps')}</label>
        <label>Seed {number('seed')}</label>
        <label>Dropout {number('dropout', 0.01)}</label>
        <label>Held-out share {number('evalFraction', 0.01)}</label>
        <label>Evaluate every (steps) {number('evalEverySteps')}</label>
        <label>Early-stopping patience {number('earlyStoppingPatience')}</label>
        <label>Packing
          <select value={settings.packing} onChange={(e) => setSettings({ ...settings, packing: e.target.value as PackingName })}>
            <option value="auto">auto</option><option value="stream">stream</option><option value="per_row">per row</option>
          </select>
        </label>
        <label>Overflow
          <select value={settings.overflow} onChange={(e) => setSettings({ ...settings, overflow: e.target.value as OverflowName })}>
            <option value="truncate">truncate</option><option value="window">window</option>
          </select>
        </label>
        <label className="check">{toggle('useRslora')} rsLoRA</label>
        <label className="check">{toggle('useDora')} DoRA</label>
        <label className="check">{toggle('trainOnPrompts')} train on prompts</label>
        <div className="targets">
          Target modules{' '}
          {TARGET_MODULES.map((t) => (
            <label key={t} className="check"><input type="checkbox" checked={settings.targets.includes(t)} onChange={() => toggleTarget(t)} />{t}</label>
          ))}
        </div>
      </fieldset>
      <label>
        <span>
          Job fee in {symbol} (held from you, paid to the trainer and verifiers once verified; at least{' '}
          <Amount planck={limits.minJobFee} />)
        </span>
        <input value={feeText} onChange={(e) => setFeeText(e.target.value)} inputMode="decimal" />
      </label>
      {problems.map((p) => <Notice key={p} kind="error">{p}</Notice>)}
      {problems.length === 0 && fee !== null && (
        <p>
          Held from you: <strong><Amount planck={fee} /></strong>; <TxFee tx={build} deps={[name, base, chosen.join(), JSON.stringify(settings), feeText]} />
        </p>
      )}
      <button type="submit" disabled={submitter.busy || problems.length > 0}>Sign and open the job</button>
      <Notice kind="info">{created ?? submitter.status}</Notice>
      <Notice kind="error">{submitter.error}</Notice>
    </form>
  );
}
