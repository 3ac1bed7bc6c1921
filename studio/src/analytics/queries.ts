// What the Analytics page charts, read from pallet-attribution's aggregates and records and
// pallet-datanets' rows and open challenges.
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { bigintOf, field, numberOf, unwrap, variant } from '../chain/codec';
import { loadRowCounts } from '../datanets/queries';
import type { RecordFact } from './aggregate';

export interface AnalyticsData {
  records: RecordFact[];
  /** Finalized (paid) inferences per model version. */
  inferences: { model: number; version: number; count: bigint }[];
  /** Summed attribution scores (parts per billion) per row over finalized records. */
  rowCredit: { datanet: number; row: number; ppb: bigint }[];
  contributorCredit: { account: string; ppb: bigint }[];
  /** Per datanet: rows slashed and rows with an open challenge. */
  disputedRows: { datanet: number; slashed: number; challenged: number }[];
}

type Entry = [{ args: Codec[] }, Codec];

export async function loadAnalytics(api: ApiPromise): Promise<AnalyticsData> {
  const [records, inferences, rows, contributors, challenges, rowCounts] = await Promise.all([
    api.query.attribution.records.entries() as Promise<Entry[]>,
    api.query.attribution.modelInferences.entries() as Promise<Entry[]>,
    api.query.attribution.rowAttribution.entries() as Promise<Entry[]>,
    api.query.attribution.contributorAttribution.entries() as Promise<Entry[]>,
    api.query.datanets.challenges.entries() as Promise<Entry[]>,
    loadRowCounts(api),
  ]);
  const challenged = new Map<number, number>();
  for (const [key] of challenges) {
    const datanet = numberOf(key.args[0]);
    challenged.set(datanet, (challenged.get(datanet) ?? 0) + 1);
  }
  const datanets = new Set([...rowCounts.keys(), ...challenged.keys()]);
  return {
    records: records.flatMap(([, value]) => {
      const info = unwrap(value);
      return info
        ? [{
            model: numberOf(field(info, 'model')),
            version: numberOf(field(info, 'version')),
            fee: bigintOf(field(info, 'fee')),
            submittedAt: numberOf(field(info, 'submittedAt')),
            status: variant(field(info, 'status')),
          }]
        : [];
    }),
    inferences: inferences.map(([key, value]) => ({ model: numberOf(key.args[0]), version: numberOf(key.args[1]), count: bigintOf(value) })),
    rowCredit: rows.map(([key, value]) => ({ datanet: numberOf(key.args[0]), row: numberOf(key.args[1]), ppb: bigintOf(value) })),
    contributorCredit: contributors.map(([key, value]) => ({ account: key.args[0].toString(), ppb: bigintOf(value) })),
    disputedRows: [...datanets]
      .sort((a, b) => a - b)
      .map((datanet) => ({ datanet, slashed: rowCounts.get(datanet)?.Slashed ?? 0, challenged: challenged.get(datanet) ?? 0 })),
  };
}
