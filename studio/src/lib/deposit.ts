// The chain's deposit and fee formulas (pallets/datanets/src/lib.rs), in bigint because balances
// are u128 with 12 decimals and overflow a JavaScript number long before they overflow the chain.

export interface RowDepositParams {
  /** `datanets.rowDepositBase` */
  base: bigint;
  /** `datanets.rowDepositPerByte` */
  perByte: bigint;
}

/** `RowDepositBase + RowDepositPerByte × byte_len`, held per contributed row. */
export function rowDeposit(params: RowDepositParams, byteLen: number): bigint {
  if (!Number.isInteger(byteLen) || byteLen < 0) throw new Error(`byte length must be a whole number, not ${byteLen}`);
  return params.base + params.perByte * BigInt(byteLen);
}

/** The sum of the rows' deposits: what a contribution holds from the contributor. */
export function totalRowDeposit(params: RowDepositParams, byteLens: readonly number[]): bigint {
  return byteLens.reduce((sum, len) => sum + rowDeposit(params, len), 0n);
}

export interface PublishFeeParams {
  /** `datanets.publishFeeBase` */
  base: bigint;
  /** `datanets.publishFeePerByte` */
  perByte: bigint;
}

/** `PublishFeeBase + PublishFeePerByte × total_bytes`, paid by the publisher to the treasury. */
export function publishFee(params: PublishFeeParams, totalBytes: bigint | number): bigint {
  return params.base + params.perByte * BigInt(totalBytes);
}
