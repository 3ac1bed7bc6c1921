// Turns a refused extrinsic into words a person can act on. The chain reports a pallet error as
// indices (pallet, error); the metadata names it and carries its doc comment, which in this
// project's pallets is written to be read by the caller ("A row with this content hash already
// exists ...").

/** What `api.registry.findMetaError` answers for a module error. */
export interface MetaError {
  section: string;
  name: string;
  docs: readonly string[];
}

/** The subset of polkadot.js' `DispatchError` this module reads. */
export interface DispatchErrorLike {
  isModule: boolean;
  asModule: unknown;
  isToken?: boolean;
  asToken?: { type: string };
  isArithmetic?: boolean;
  asArithmetic?: { type: string };
  type?: string;
  toString(): string;
}

/** "pallet.Error: docs", e.g. "datanets.DuplicateRow: A row with this content hash ...". */
export function formatMetaError(error: MetaError): string {
  const docs = error.docs.map((line) => line.trim()).filter(Boolean).join(' ');
  return docs ? `${error.section}.${error.name}: ${docs}` : `${error.section}.${error.name}`;
}

/** The words for a dispatch error; `findMetaError` is `api.registry.findMetaError`. */
export function describeDispatchError(
  error: DispatchErrorLike,
  findMetaError: (module: never) => MetaError,
): string {
  if (error.isModule) {
    try {
      return formatMetaError(findMetaError(error.asModule as never));
    } catch {
      return `module error ${error.toString()} (not in this runtime's metadata)`;
    }
  }
  if (error.isToken && error.asToken) return `token error: ${error.asToken.type} (${tokenHint(error.asToken.type)})`;
  if (error.isArithmetic && error.asArithmetic) return `arithmetic error: ${error.asArithmetic.type}`;
  return error.type ? `${error.type}: ${error.toString()}` : error.toString();
}

function tokenHint(kind: string): string {
  switch (kind) {
    case 'FundsUnavailable':
      return 'the account does not have enough free balance';
    case 'OnlyProvider':
    case 'BelowMinimum':
      return 'the account would fall below the existential deposit';
    case 'Frozen':
      return 'the funds are frozen';
    default:
      return 'see the runtime docs of TokenError';
  }
}

/**
 * Words for an error thrown before dispatch: the transaction pool refuses, e.g.
 * "1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low".
 */
export function describeThrown(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
