// Reading storage values without generated types: the runtime's structs arrive as polkadot.js
// `Struct`s built from the metadata, whose fields are read by their Rust names in camelCase.
import type { Codec } from '@polkadot/types/types';
import { u8aToString } from '@polkadot/util';

interface StructLike extends Codec {
  get(name: string): Codec | undefined;
}

/** A field of a decoded struct; throws naming the field when the runtime has no such field. */
export function field(value: Codec, name: string): Codec {
  const got = (value as StructLike).get?.(name);
  if (got === undefined) throw new Error(`the chain's value has no field ${name}`);
  return got;
}

/** A `BoundedVec<u8>` as UTF-8 text. */
export function text(value: Codec): string {
  return u8aToString(value.toU8a(true));
}

export function bigintOf(value: Codec): bigint {
  return BigInt(value.toString());
}

export function numberOf(value: Codec): number {
  return Number(value.toString());
}

/** `Option<T>` → T or null. */
export function unwrap(value: Codec): Codec | null {
  const option = value as Codec & { isSome?: boolean; unwrap?: () => Codec };
  if (option.isSome === undefined) return value;
  return option.isSome ? option.unwrap!() : null;
}

/** An enum's variant name, e.g. `RowStatus::Published(3)` → "Published". */
export function variant(value: Codec): string {
  return (value as Codec & { type: string }).type;
}
