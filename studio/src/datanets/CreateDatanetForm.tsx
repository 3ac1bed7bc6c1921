import { useState, type FormEvent } from 'react';
import { useApi } from '../chain/ChainContext';
import { eventsNamed } from '../chain/submit';
import { Amount } from '../components/Amount';
import { Notice } from '../components/Notice';
import { TxFee } from '../components/TxFee';
import { useExtrinsic } from '../components/useExtrinsic';
import { utf8Length } from '../lib/rowSplitter';
import type { DatanetConstants } from './constants';

interface Draft {
  name: string;
  summary: string;
  description: string;
  tags: string;
  license: string;
  visibility: 'Public' | 'Private';
}

const EMPTY: Draft = { name: '', summary: '', description: '', tags: '', license: 'CC-BY-4.0', visibility: 'Public' };

function tagList(tags: string): string[] {
  return tags.split(',').map((tag) => tag.trim()).filter(Boolean);
}

/** The chain's bounds, checked before signing so the person sees them at once. */
function problems(draft: Draft, limits: DatanetConstants): string[] {
  const found: string[] = [];
  const tooLong = (label: string, value: string, max: number) => {
    if (utf8Length(value) > max) found.push(`${label} is ${utf8Length(value)} bytes; the chain allows ${max}`);
  };
  if (!draft.name.trim()) found.push('a name is required');
  tooLong('the name', draft.name, limits.maxNameLen);
  tooLong('the summary', draft.summary, limits.maxSummaryLen);
  tooLong('the description', draft.description, limits.maxDescriptionLen);
  tooLong('the license', draft.license, limits.maxLicenseLen);
  const tags = tagList(draft.tags);
  if (tags.length > limits.maxTags) found.push(`${tags.length} tags; the chain allows ${limits.maxTags}`);
  tags.forEach((tag) => tooLong(`tag "${tag}"`, tag, limits.maxTagLen));
  return found;
}

export function CreateDatanetForm({ limits, onCreated }: { limits: DatanetConstants; onCreated(id: number): void }) {
  const api = useApi();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const submitter = useExtrinsic();
  const issues = problems(draft, limits);
  const build = () =>
    api.tx.datanets.createDatanet(draft.name.trim(), draft.summary, draft.description, tagList(draft.tags), draft.license, draft.visibility);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (issues.length) return;
    const included = await submitter.run(build(), 'datanet created');
    const created = included && eventsNamed(included, 'datanets', 'DatanetCreated')[0];
    if (created) {
      setDraft(EMPTY);
      onCreated(Number(created.event.data[0].toString()));
    }
  };

  const set = (key: keyof Draft) => (event: { target: { value: string } }) => setDraft({ ...draft, [key]: event.target.value });
  return (
    <form className="panel" onSubmit={submit} aria-label="Create a datanet">
      <h3>Create a datanet</h3>
      <label>
        Name <small>(unique per owner, cannot be changed)</small>
        <input value={draft.name} onChange={set('name')} />
      </label>
      <label>
        Summary
        <input value={draft.summary} onChange={set('summary')} />
      </label>
      <label>
        Description <small>(markdown)</small>
        <textarea rows={4} value={draft.description} onChange={set('description')} />
      </label>
      <label>
        Tags <small>(comma separated, at most {limits.maxTags})</small>
        <input value={draft.tags} onChange={set('tags')} placeholder="medicine, q&a" />
      </label>
      <label>
        License
        <input value={draft.license} onChange={set('license')} />
      </label>
      <label>
        Visibility
        <select value={draft.visibility} onChange={set('visibility')}>
          <option value="Public">Public: anyone may contribute</option>
          <option value="Private">Private: owner, curators and allow-listed accounts</option>
        </select>
      </label>
      {issues.map((issue) => (
        <Notice key={issue} kind="error">{issue}</Notice>
      ))}
      <p>
        Creation deposit held from you: <Amount planck={limits.datanetDeposit} />;{' '}
        {issues.length === 0 && <TxFee tx={build} deps={[JSON.stringify(draft)]} />}
      </p>
      <button type="submit" disabled={submitter.busy || issues.length > 0}>
        {submitter.busy ? 'Creating…' : 'Sign and create'}
      </button>
      <Notice kind="info">{submitter.status}</Notice>
      <Notice kind="error">{submitter.error}</Notice>
    </form>
  );
}
