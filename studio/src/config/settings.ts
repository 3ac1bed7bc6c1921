// Where the studio finds the chain and the sidecar. Defaults come from Vite env vars (or the
// addresses scripts/dev.sh prints); the settings panel overrides them per browser, kept in
// localStorage so a reload keeps them.

export interface Settings {
  nodeUrl: string;
  /** Public sidecar API: OpenAI routes, `GET /store/{hash}`, `GET /rows/{datanet}/{row}`. */
  sidecarUrl: string;
  /** Operator sidecar API: `PUT /store` is served only there (worker README, "Two listeners"). */
  sidecarOperatorUrl: string;
  /**
   * Other validators' operator APIs, comma separated: a training job's live progress is on its
   * trainer's sidecar, which may not be the one above (scripts/dev.sh: Bob's is 8521).
   */
  otherOperatorUrls: string;
}

export const DEFAULT_SETTINGS: Settings = {
  nodeUrl: import.meta.env.VITE_NODE_WS_URL || 'ws://127.0.0.1:9944',
  sidecarUrl: import.meta.env.VITE_SIDECAR_URL || 'http://127.0.0.1:8420',
  sidecarOperatorUrl: import.meta.env.VITE_SIDECAR_OPERATOR_URL || 'http://127.0.0.1:8520',
  otherOperatorUrls: import.meta.env.VITE_OTHER_OPERATOR_URLS ?? 'http://127.0.0.1:8521',
};

/** Every operator API the studio may ask for job progress, the main one first. */
export function operatorUrls(settings: Settings): string[] {
  const others = settings.otherOperatorUrls.split(',').map((url) => url.trim()).filter(Boolean);
  return [settings.sidecarOperatorUrl, ...others.filter((url) => url !== settings.sidecarOperatorUrl)];
}

const STORAGE_KEY = 'tributary-studio-settings';

export function loadSettings(): Settings {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Settings>;
    return { ...DEFAULT_SETTINGS, ...saved };
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export function saveSettings(settings: Settings): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
}

export function clearSavedSettings(): void {
  localStorage.removeItem(STORAGE_KEY);
}
