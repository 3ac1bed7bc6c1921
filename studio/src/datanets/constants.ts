// The datanets pallet's constants, read from the runtime (`api.consts.datanets.*`), never
// hard-coded: the deposits and limits shown before signing are the chain's own.
import type { ApiPromise } from '@polkadot/api';
import type { Codec } from '@polkadot/types/types';

export interface DatanetConstants {
  datanetDeposit: bigint;
  rowDepositBase: bigint;
  rowDepositPerByte: bigint;
  publishFeeBase: bigint;
  publishFeePerByte: bigint;
  maxBatchSize: number;
  maxNameLen: number;
  maxSummaryLen: number;
  maxDescriptionLen: number;
  maxTagLen: number;
  maxTags: number;
  maxLicenseLen: number;
  maxRowsPerVersion: number;
}

const BALANCES = ['datanetDeposit', 'rowDepositBase', 'rowDepositPerByte', 'publishFeeBase', 'publishFeePerByte'] as const;
const COUNTS = ['maxBatchSize', 'maxNameLen', 'maxSummaryLen', 'maxDescriptionLen', 'maxTagLen', 'maxTags', 'maxLicenseLen', 'maxRowsPerVersion'] as const;

/** The constants, or an error naming every one the runtime does not expose. */
export function readDatanetConstants(api: ApiPromise): DatanetConstants {
  const consts = api.consts.datanets as Record<string, Codec | undefined> | undefined;
  if (!consts) throw new Error('the runtime has no datanets pallet');
  const missing = [...BALANCES, ...COUNTS].filter((name) => consts[name] === undefined);
  if (missing.length) throw new Error(`the runtime does not expose datanets constants: ${missing.join(', ')}`);
  const result: Record<string, bigint | number> = {};
  for (const name of BALANCES) result[name] = BigInt(consts[name]!.toString());
  for (const name of COUNTS) result[name] = Number(consts[name]!.toString());
  return result as unknown as DatanetConstants;
}
