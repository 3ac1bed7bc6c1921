// Datanets as the chain stores them (pallets/datanets: storage `Datanet`, `Rows`, `Versions`,
// `ApprovedRows`), read with the metadata the node serves.
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { bigintOf, field, numberOf, text, unwrap, variant } from '../chain/codec';

export interface DatanetSummary {
  id: number;
  owner: string;
  name: string;
  summary: string;
  description: string;
  tags: string[];
  license: string;
  visibility: string;
  curators: string[];
  deposit: bigint;
  /** Rows ever contributed (the next row id), rejected and withdrawn ones included. */
  rowsContributed: number;
  versionCount: number;
}

export type RowStatusName = 'Pending' | 'Approved' | 'Published' | 'Slashed';

export interface RowSummary {
  datanet: number;
  id: number;
  contributor: string;
  contentHash: string;
  byteLen: number;
  deposit: bigint;
  status: RowStatusName;
  /** The version of a published row. */
  publishedIn: number | null;
  contributedAt: number;
}

export interface VersionSummary {
  id: number;
  merkleRoot: string;
  rowCount: number;
  totalBytes: bigint;
  publisher: string;
  fee: bigint;
  publishedAt: number;
}

function keyArg(key: { args: Codec[] }, index: number): number {
  return numberOf(key.args[index]);
}

function datanetOf(id: number, info: Codec): DatanetSummary {
  return {
    id,
    owner: field(info, 'owner').toString(),
    name: text(field(info, 'name')),
    summary: text(field(info, 'summary')),
    description: text(field(info, 'description')),
    tags: (field(info, 'tags') as unknown as Codec[]).map(text),
    license: text(field(info, 'license')),
    visibility: variant(field(info, 'visibility')),
    curators: (field(info, 'curators') as unknown as Codec[]).map((c) => c.toString()),
    deposit: bigintOf(field(info, 'deposit')),
    rowsContributed: numberOf(field(info, 'nextRowId')),
    versionCount: numberOf(field(info, 'versionCount')),
  };
}

export async function loadDatanets(api: ApiPromise): Promise<DatanetSummary[]> {
  const entries = await api.query.datanets.datanet.entries();
  return entries
    .map(([key, value]) => {
      const info = unwrap(value);
      return info ? datanetOf(keyArg(key, 0), info) : null;
    })
    .filter((d): d is DatanetSummary => d !== null)
    .sort((a, b) => a.id - b.id);
}

function rowOf(datanet: number, id: number, info: Codec): RowSummary {
  const status = field(info, 'status') as Codec & { type: RowStatusName; isPublished: boolean; asPublished: Codec };
  return {
    datanet,
    id,
    contributor: field(info, 'contributor').toString(),
    contentHash: field(info, 'contentHash').toHex(),
    byteLen: numberOf(field(info, 'byteLen')),
    deposit: bigintOf(field(info, 'deposit')),
    status: status.type,
    publishedIn: status.isPublished ? numberOf(status.asPublished) : null,
    contributedAt: numberOf(field(info, 'contributedAt')),
  };
}

/** The rows still on chain (pending, approved, published, slashed), by row id. */
export async function loadRows(api: ApiPromise, datanet: number): Promise<RowSummary[]> {
  const entries = await api.query.datanets.rows.entries(datanet);
  return entries
    .map(([key, value]) => {
      const info = unwrap(value);
      return info ? rowOf(datanet, keyArg(key, 1), info) : null;
    })
    .filter((r): r is RowSummary => r !== null)
    .sort((a, b) => a.id - b.id);
}

export async function loadRow(api: ApiPromise, datanet: number, row: number): Promise<RowSummary | null> {
  const info = unwrap(await api.query.datanets.rows(datanet, row));
  return info ? rowOf(datanet, row, info) : null;
}

export async function loadVersions(api: ApiPromise, datanet: number): Promise<VersionSummary[]> {
  const entries = await api.query.datanets.versions.entries(datanet);
  return entries
    .map(([key, value]): VersionSummary | null => {
      const info = unwrap(value);
      if (!info) return null;
      return {
        id: keyArg(key, 1),
        merkleRoot: field(info, 'merkleRoot').toHex(),
        rowCount: numberOf(field(info, 'rowCount')),
        totalBytes: bigintOf(field(info, 'totalBytes')),
        publisher: field(info, 'publisher').toString(),
        fee: bigintOf(field(info, 'fee')),
        publishedAt: numberOf(field(info, 'publishedAt')),
      };
    })
    .filter((v): v is VersionSummary => v !== null)
    .sort((a, b) => b.id - a.id);
}

/** Row counts per datanet and status, from every row on chain (fine at dev-network sizes). */
export async function loadRowCounts(api: ApiPromise): Promise<Map<number, Record<RowStatusName, number>>> {
  const entries = await api.query.datanets.rows.entries();
  const counts = new Map<number, Record<RowStatusName, number>>();
  for (const [key, value] of entries) {
    const info = unwrap(value);
    if (!info) continue;
    const datanet = keyArg(key, 0);
    const status = variant(field(info, 'status')) as RowStatusName;
    const tally = counts.get(datanet) ?? { Pending: 0, Approved: 0, Published: 0, Slashed: 0 };
    tally[status] += 1;
    counts.set(datanet, tally);
  }
  return counts;
}

export interface PublishedVersion {
  datanet: number;
  datanetName: string;
  version: number;
  rowCount: number;
}

/** Every published version of every datanet, what a fine-tune job may train on. */
export async function loadPublishedVersions(api: ApiPromise): Promise<PublishedVersion[]> {
  const [datanets, entries] = await Promise.all([loadDatanets(api), api.query.datanets.versions.entries()]);
  return entries
    .flatMap(([key, value]) => {
      const info = unwrap(value);
      if (!info) return [];
      const datanet = keyArg(key, 0);
      return [{
        datanet,
        datanetName: datanets.find((d) => d.id === datanet)?.name ?? `datanet ${datanet}`,
        version: keyArg(key, 1),
        rowCount: numberOf(field(info, 'rowCount')),
      }];
    })
    .sort((a, b) => a.datanet - b.datanet || b.version - a.version);
}
