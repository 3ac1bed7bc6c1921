import { createContext, useContext, useState, type ReactNode } from 'react';
import { clearSavedSettings, DEFAULT_SETTINGS, loadSettings, saveSettings, type Settings } from './settings';

interface SettingsState {
  settings: Settings;
  update(settings: Settings): void;
  reset(): void;
}

const SettingsContext = createContext<SettingsState | null>(null);

export function SettingsProvider({ children }: { children: ReactNode }) {
  const [settings, setSettings] = useState(loadSettings);
  const update = (next: Settings) => {
    saveSettings(next);
    setSettings(next);
  };
  const reset = () => {
    clearSavedSettings();
    setSettings(DEFAULT_SETTINGS);
  };
  return <SettingsContext.Provider value={{ settings, update, reset }}>{children}</SettingsContext.Provider>;
}

export function useSettings(): SettingsState {
  const state = useContext(SettingsContext);
  if (!state) throw new Error('useSettings outside SettingsProvider');
  return state;
}
