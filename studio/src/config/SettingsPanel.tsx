import { useState, type FormEvent } from 'react';
import { useSettings } from './SettingsContext';
import type { Settings } from './settings';

const FIELDS: { key: keyof Settings; label: string; hint: string }[] = [
  { key: 'nodeUrl', label: 'Node WebSocket', hint: 'ws://127.0.0.1:9944 is Alice\'s node in scripts/dev.sh' },
  { key: 'sidecarUrl', label: 'Sidecar (public API)', hint: 'chat, models, row content' },
  { key: 'sidecarOperatorUrl', label: 'Sidecar (operator API)', hint: 'uploads: PUT /store is served only here' },
  { key: 'otherOperatorUrls', label: 'Other sidecars\' operator APIs', hint: 'comma separated; where training progress is looked up' },
];

export function SettingsPanel({ onClose }: { onClose(): void }) {
  const { settings, update, reset } = useSettings();
  const [draft, setDraft] = useState(settings);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    update(draft);
    onClose();
  };
  return (
    <form className="panel settings" onSubmit={submit} aria-label="Settings">
      <h2>Settings</h2>
      {FIELDS.map((field) => (
        <label key={field.key}>
          {field.label}
          <input
            value={draft[field.key]}
            onChange={(event) => setDraft({ ...draft, [field.key]: event.target.value.trim() })}
            required={field.key !== 'otherOperatorUrls'}
          />
          <small>{field.hint}</small>
        </label>
      ))}
      <p className="muted">
        The sidecar is reached through the studio's own server (it sends no CORS headers), which forwards only to
        loopback addresses.
      </p>
      <div className="row-actions">
        <button type="submit">Save</button>
        <button type="button" onClick={() => { reset(); onClose(); }}>Reset to defaults</button>
        <button type="button" onClick={onClose}>Cancel</button>
      </div>
    </form>
  );
}
