// Live progress of a job in training: step, loss and a loss chart, polled from the trainer's
// sidecar (the operator APIs in Settings) while the chain says the job is training.
import { CategoryScale, Chart, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useState } from 'react';
import { Line } from 'react-chartjs-2';
import { useApi } from '../chain/ChainContext';
import { operatorUrls } from '../config/settings';
import { useSettings } from '../config/SettingsContext';
import { describeProgress, findSidecarJob, sidecarJobId, type SidecarJob } from './jobProgress';

Chart.register(CategoryScale, LinearScale, LineElement, PointElement, Tooltip);

const POLL_MS = 2000;

export function JobProgress({ job, attempt }: { job: number; attempt: number }) {
  const api = useApi();
  const { settings } = useSettings();
  const [found, setFound] = useState<{ url: string; job: SidecarJob } | null>(null);
  const [losses, setLosses] = useState<[number, number][]>([]);
  const [searched, setSearched] = useState(false);

  useEffect(() => {
    let live = true;
    const genesis = api.genesisHash.toHex();
    // Latest run first: a job re-posted after its sidecar lost it (`-r<n>`) supersedes the others.
    const ids = [3, 2, 1, 0].map((runs) => sidecarJobId(genesis, job, attempt, 'train', runs));
    // Once found, only that job is asked for again (each miss is a 404 on some sidecar); it is
    // searched for afresh if it disappears or fails.
    let located: { url: string; id: string } | null = null;
    const poll = async () => {
      let result = located ? await findSidecarJob([located.url], [located.id]) : null;
      if (!result || result.job.status === 'failed') result = await findSidecarJob(operatorUrls(settings), ids);
      if (!live) return;
      located = result && { url: result.url, id: result.id };
      setSearched(true);
      setFound(result);
      const progress = result?.job.progress;
      if (progress && progress.loss !== null) {
        setLosses((points) => (points.some(([step]) => step === progress.step) ? points : [...points, [progress.step, progress.loss!]]));
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, job, attempt, settings]);

  // The chain's off-chain worker posts the job to its sidecar a block or two after the draw; a
  // job never found means the trainer's operator API is not among those in Settings.
  if (!found) return searched ? <small className="muted">waiting for the trainer's sidecar to start the job (looked on the operator APIs in Settings)</small> : null;
  return (
    <div className="job-progress">
      <small className={found.job.status === 'failed' ? 'notice-error' : undefined}>
        {describeProgress(found.job)} (at {found.url})
      </small>
      {losses.length > 1 && (
        <div className="mini-chart">
          <Line
            options={{ responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { type: 'linear', title: { display: true, text: 'step' } } } }}
            data={{ datasets: [{ label: 'training loss', data: losses.map(([x, y]) => ({ x, y })), borderColor: '#0b6e99', backgroundColor: '#0b6e99' }] }}
          />
        </div>
      )}
    </div>
  );
}
