// Models, their versions (lineage) and base models, as pallets/models stores them.
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';
import { bigintOf, field, numberOf, text, unwrap, variant } from '../chain/codec';

export interface BaseModelSummary {
  id: number;
  name: string;
  architecture: string;
  weightsHash: string;
  parameterCount: bigint;
  license: string;
}

export interface PinnedDatanet {
  datanet: number;
  version: number;
  merkleRoot: string;
  rowCount: number;
}

export interface ModelVersionSummary {
  version: number;
  job: number;
  baseModel: number;
  datanets: PinnedDatanet[];
  adapterHash: string;
  adapterBytes: bigint;
  trainLossPpb: bigint;
  evalLossPpb: bigint;
  verifiedEvalLossPpb: bigint;
  trainer: string;
  createdAt: number;
  /** Finalized (paid) inferences of this version (`attribution.modelInferences`). */
  paidInferences: bigint;
}

export interface ModelSummary {
  id: number;
  owner: string;
  name: string;
  baseModel: number;
  pricePer1kTokens: bigint | null;
  retired: boolean;
  versions: ModelVersionSummary[];
}

export interface JobSummary {
  id: number;
  model: number;
  owner: string;
  state: string;
  stateDetail: string;
  fee: bigint;
  attempt: number;
  trainer: string | null;
  deadline: number;
  datanets: PinnedDatanet[];
}

function pinned(list: Codec): PinnedDatanet[] {
  return (list as unknown as Codec[]).map((p) => ({
    datanet: numberOf(field(p, 'datanet')),
    version: numberOf(field(p, 'version')),
    merkleRoot: field(p, 'merkleRoot').toHex(),
    rowCount: numberOf(field(p, 'rowCount')),
  }));
}

function entriesOf<T>(entries: [{ args: Codec[] }, Codec][], make: (args: number[], info: Codec) => T): T[] {
  return entries.flatMap(([key, value]) => {
    const info = unwrap(value);
    return info ? [make(key.args.map(numberOf), info)] : [];
  });
}

export async function loadBaseModels(api: ApiPromise): Promise<BaseModelSummary[]> {
  return entriesOf(await api.query.models.baseModels.entries(), ([id], info) => ({
    id,
    name: text(field(info, 'name')),
    architecture: text(field(info, 'architecture')),
    weightsHash: field(info, 'weightsHash').toHex(),
    parameterCount: bigintOf(field(info, 'parameterCount')),
    license: text(field(info, 'license')),
  })).sort((a, b) => a.id - b.id);
}

export async function loadModels(api: ApiPromise): Promise<ModelSummary[]> {
  const [models, versions, inferences] = await Promise.all([
    api.query.models.model.entries(),
    api.query.models.modelVersions.entries(),
    api.query.attribution.modelInferences.entries(),
  ]);
  const paid = new Map(inferences.map(([key, count]) => [`${numberOf(key.args[0])}/${numberOf(key.args[1])}`, bigintOf(count)]));
  const versionList = entriesOf(versions, ([model, version], info) => {
    const result = field(info, 'result');
    return {
      model,
      summary: {
        version,
        job: numberOf(field(info, 'job')),
        baseModel: numberOf(field(info, 'baseModel')),
        datanets: pinned(field(info, 'datanets')),
        adapterHash: field(result, 'adapterHash').toHex(),
        adapterBytes: bigintOf(field(result, 'adapterBytes')),
        trainLossPpb: bigintOf(field(result, 'trainLossPpb')),
        evalLossPpb: bigintOf(field(result, 'evalLossPpb')),
        verifiedEvalLossPpb: bigintOf(field(info, 'verifiedEvalLossPpb')),
        trainer: field(info, 'trainer').toString(),
        createdAt: numberOf(field(info, 'createdAt')),
        paidInferences: paid.get(`${model}/${version}`) ?? 0n,
      } satisfies ModelVersionSummary,
    };
  });
  return entriesOf(models, ([id], info) => {
    const price = unwrap(field(info, 'pricePer1kTokens'));
    return {
      id,
      owner: field(info, 'owner').toString(),
      name: text(field(info, 'name')),
      baseModel: numberOf(field(info, 'baseModel')),
      pricePer1kTokens: price ? bigintOf(price) : null,
      retired: field(info, 'retired').toString() === 'true',
      versions: versionList.filter((v) => v.model === id).map((v) => v.summary).sort((a, b) => b.version - a.version),
    };
  }).sort((a, b) => b.id - a.id);
}

export async function loadJobs(api: ApiPromise): Promise<JobSummary[]> {
  return entriesOf(await api.query.models.jobs.entries(), ([id], info) => {
    const state = field(info, 'state');
    const trainer = unwrap(field(info, 'trainer'));
    return {
      id,
      model: numberOf(field(info, 'model')),
      owner: field(info, 'owner').toString(),
      state: variant(state),
      stateDetail: JSON.stringify(state.toHuman()),
      fee: bigintOf(field(info, 'fee')),
      attempt: numberOf(field(info, 'attempt')),
      trainer: trainer ? trainer.toString() : null,
      deadline: numberOf(field(info, 'deadline')),
      datanets: pinned(field(info, 'datanets')),
    };
  }).sort((a, b) => b.id - a.id);
}

export interface WorkerSummary {
  account: string;
  endpoint: string;
  device: string;
  bond: bigint;
  registeredAt: number;
}

/** Registered workers (`models.workerList` and each one's `models.workers` entry). */
export async function loadWorkers(api: ApiPromise): Promise<WorkerSummary[]> {
  const list = (await api.query.models.workerList()) as unknown as Codec[];
  const infos = list.length ? await api.query.models.workers.multi(list) : [];
  return list.flatMap((account, i) => {
    const info = unwrap(infos[i]);
    return info
      ? [{
          account: account.toString(),
          endpoint: text(field(info, 'endpoint')),
          device: text(field(info, 'device')),
          bond: bigintOf(field(info, 'bond')),
          registeredAt: numberOf(field(info, 'registeredAt')),
        }]
      : [];
  });
}
