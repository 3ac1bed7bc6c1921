// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from './settings';
import { SettingsProvider, useSettings } from './SettingsContext';
import { SettingsPanel } from './SettingsPanel';

function Current() {
  const { settings } = useSettings();
  return <output aria-label="current node">{settings.nodeUrl}</output>;
}

function renderPanel(onClose = () => {}) {
  return render(
    <SettingsProvider>
      <SettingsPanel onClose={onClose} />
      <Current />
    </SettingsProvider>,
  );
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('SettingsPanel', () => {
  it('starts from the defaults of scripts/dev.sh', () => {
    renderPanel();
    expect(screen.getByLabelText(/Node WebSocket/)).toHaveProperty('value', 'ws://127.0.0.1:9944');
    expect(screen.getByLabelText(/Sidecar \(public API\)/)).toHaveProperty('value', 'http://127.0.0.1:8420');
    expect(screen.getByLabelText(/Sidecar \(operator API\)/)).toHaveProperty('value', 'http://127.0.0.1:8520');
  });

  it('saves edits for the app and the next visit, and resets them', () => {
    let closed = 0;
    renderPanel(() => closed++);
    fireEvent.change(screen.getByLabelText(/Node WebSocket/), { target: { value: ' ws://127.0.0.1:9945 ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(screen.getByLabelText('current node').textContent).toBe('ws://127.0.0.1:9945');
    expect(JSON.parse(localStorage.getItem('tributary-studio-settings')!).nodeUrl).toBe('ws://127.0.0.1:9945');
    fireEvent.click(screen.getByRole('button', { name: 'Reset to defaults' }));
    expect(screen.getByLabelText('current node').textContent).toBe(DEFAULT_SETTINGS.nodeUrl);
    expect(localStorage.getItem('tributary-studio-settings')).toBeNull();
    expect(closed).toBe(2);
  });
});
