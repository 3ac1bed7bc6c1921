import { useSettings } from '../config/SettingsContext';
import { useAsync } from '../components/useAsync';
import { getObjectText } from '../sidecar/store';

/** A row's content, fetched from the sidecar's store by its on-chain hash. */
export function RowText({ hash }: { hash: string }) {
  const { settings } = useSettings();
  const content = useAsync(() => getObjectText(settings.sidecarUrl, hash), [settings.sidecarUrl, hash]);
  if (content.loading && content.data === null) return <span className="muted">loading row text…</span>;
  if (content.error) return <span className="notice-error">row text unavailable: {content.error}</span>;
  return <pre className="row-text">{content.data}</pre>;
}
