// "Watch real model creation, Datanet quality, inference activity": charts over what the chain
// has recorded so far, re-read on demand.
import { BarElement, CategoryScale, Chart, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import type { ReactNode } from 'react';
import { Bar, Line } from 'react-chartjs-2';
import { useAccounts } from '../chain/AccountContext';
import { useApi, useChain } from '../chain/ChainContext';
import { Notice } from '../components/Notice';
import { useAsync } from '../components/useAsync';
import { cumulativeFees, sumBy, versionLabel } from '../analytics/aggregate';
import { loadAnalytics } from '../analytics/queries';

Chart.register(BarElement, CategoryScale, LinearScale, LineElement, PointElement, Legend, Tooltip);

const COLORS = ['#0b6e99', '#d1495b', '#edae49', '#00798c', '#30638e', '#6a4c93'];
const PPB = 1e9;

function ChartPanel({ title, empty, children }: { title: string; empty: boolean; children: ReactNode }) {
  return (
    <section className="panel chart-panel" aria-label={title}>
      <h3>{title}</h3>
      {empty ? <p className="muted">Nothing recorded yet.</p> : <div className="chart">{children}</div>}
    </section>
  );
}

export function AnalyticsPage() {
  const api = useApi();
  const { decimals, symbol } = useChain();
  const { accounts } = useAccounts();
  const data = useAsync(() => loadAnalytics(api), [api]);
  const toToken = (planck: bigint) => Number(planck) / 10 ** decimals;
  const nameOf = (address: string) => accounts.find((a) => a.address === address)?.name ?? `${address.slice(0, 6)}…`;
  const d = data.data;
  const fees = d ? cumulativeFees(d.records) : [];
  const datanetCredit = d ? sumBy(d.rowCredit, (r) => `datanet ${r.datanet}`, (r) => r.ppb) : new Map<string, bigint>();
  const options = { responsive: true, maintainAspectRatio: false, animation: false } as const;

  return (
    <div className="page">
      <header className="page-header">
        <h2>Analytics</h2>
        <button type="button" className="link" onClick={data.reload}>Refresh</button>
      </header>
      <Notice kind="error">{data.error}</Notice>
      {d && (
        <div className="chart-grid">
          <ChartPanel title={`Fees per model version over blocks (${symbol}, running total)`} empty={fees.length === 0}>
            <Line
              options={{
                ...options,
                scales: {
                  x: { type: 'linear', title: { display: true, text: 'block' } },
                  // Fees on a dev network are tiny fractions of a token: plain decimals, not 6.1E-5.
                  y: { ticks: { callback: (value) => Number(value).toLocaleString(undefined, { maximumSignificantDigits: 6 }) } },
                },
              }}
              data={{
                datasets: fees.map((series, i) => ({
                  label: series.label,
                  data: series.points.map(([block, total]) => ({ x: block, y: toToken(total) })),
                  borderColor: COLORS[i % COLORS.length],
                  backgroundColor: COLORS[i % COLORS.length],
                })),
              }}
            />
          </ChartPanel>
          <ChartPanel title="Paid inferences per model version" empty={d.inferences.length === 0}>
            <Bar
              options={options}
              data={{
                labels: d.inferences.map((i) => versionLabel(i.model, i.version)),
                datasets: [{ label: 'finalized inferences', data: d.inferences.map((i) => Number(i.count)), backgroundColor: COLORS[0] }],
              }}
            />
          </ChartPanel>
          <ChartPanel title="Attribution credit per datanet (answers' worth)" empty={datanetCredit.size === 0}>
            <Bar
              options={options}
              data={{
                labels: [...datanetCredit.keys()],
                datasets: [{ label: 'summed shares', data: [...datanetCredit.values()].map((ppb) => Number(ppb) / PPB), backgroundColor: COLORS[3] }],
              }}
            />
          </ChartPanel>
          <ChartPanel title="Attribution credit per contributor (answers' worth)" empty={d.contributorCredit.length === 0}>
            <Bar
              options={options}
              data={{
                labels: d.contributorCredit.map((c) => nameOf(c.account)),
                datasets: [{ label: 'summed shares', data: d.contributorCredit.map((c) => Number(c.ppb) / PPB), backgroundColor: COLORS[4] }],
              }}
            />
          </ChartPanel>
          <ChartPanel title="Challenged and slashed rows per datanet" empty={d.disputedRows.every((r) => r.slashed + r.challenged === 0)}>
            <Bar
              options={{ ...options, scales: { x: { stacked: true }, y: { stacked: true, ticks: { precision: 0 } } } }}
              data={{
                labels: d.disputedRows.map((r) => `datanet ${r.datanet}`),
                datasets: [
                  { label: 'open challenges', data: d.disputedRows.map((r) => r.challenged), backgroundColor: COLORS[2] },
                  { label: 'slashed', data: d.disputedRows.map((r) => r.slashed), backgroundColor: COLORS[1] },
                ],
              }}
            />
          </ChartPanel>
        </div>
      )}
    </div>
  );
}
