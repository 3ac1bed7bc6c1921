// Pure aggregation for the Analytics page: the chain stores facts per record, row and account;
// the charts want totals per model version, datanet and contributor, and running sums over
// blocks.

export interface RecordFact {
  model: number;
  version: number;
  fee: bigint;
  submittedAt: number;
  status: string;
}

/** `model-<m>-v<v>`, the id the sidecars serve a chain model version under. */
export function versionLabel(model: number, version: number): string {
  return `model-${model}-v${version}`;
}

/** Sums `value` per key, keeping the keys in first-seen order (bigint: u64 sums pass 2^53). */
export function sumBy<T>(items: readonly T[], key: (item: T) => string, value: (item: T) => bigint): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const item of items) totals.set(key(item), (totals.get(key(item)) ?? 0n) + value(item));
  return totals;
}

export interface Series {
  label: string;
  /** [block, running total] points, one per block where the total changed. */
  points: [number, bigint][];
}

/**
 * Running fee totals per model version over the blocks records were submitted in; rejected
 * records are left out, since their fees were refunded.
 */
export function cumulativeFees(records: readonly RecordFact[]): Series[] {
  const byVersion = new Map<string, RecordFact[]>();
  for (const record of records) {
    if (record.status === 'Rejected') continue;
    const label = versionLabel(record.model, record.version);
    byVersion.set(label, [...(byVersion.get(label) ?? []), record]);
  }
  return [...byVersion.entries()].map(([label, list]) => {
    const points: [number, bigint][] = [];
    let total = 0n;
    for (const record of [...list].sort((a, b) => a.submittedAt - b.submittedAt)) {
      total += record.fee;
      const last = points[points.length - 1];
      if (last && last[0] === record.submittedAt) last[1] = total;
      else points.push([record.submittedAt, total]);
    }
    return { label, points };
  });
}
