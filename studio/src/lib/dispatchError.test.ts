import { describe, expect, it } from 'vitest';
import { describeDispatchError, describeThrown, formatMetaError, type MetaError } from './dispatchError';

const duplicate: MetaError = {
  section: 'datanets',
  name: 'DuplicateRow',
  docs: ['A row with this content hash already exists (in this or another datanet, or earlier in', 'the same batch); query `row_by_content_hash` for it.'],
};

describe('formatMetaError', () => {
  it('names the pallet and error and joins the doc lines', () => {
    expect(formatMetaError(duplicate)).toBe(
      'datanets.DuplicateRow: A row with this content hash already exists (in this or another datanet, or earlier in the same batch); query `row_by_content_hash` for it.',
    );
  });

  it('leaves out the colon when the error has no docs', () => {
    expect(formatMetaError({ section: 'rewards', name: 'NothingToClaim', docs: [] })).toBe('rewards.NothingToClaim');
  });
});

describe('describeDispatchError', () => {
  it('looks a module error up in the metadata', () => {
    const module = { index: 9, error: '0x0a000000' };
    const seen: unknown[] = [];
    const words = describeDispatchError({ isModule: true, asModule: module, toString: () => 'x' }, (m) => {
      seen.push(m);
      return duplicate;
    });
    expect(seen).toEqual([module]);
    expect(words).toMatch(/^datanets\.DuplicateRow: /);
  });

  it('says so when the metadata does not know the error', () => {
    const words = describeDispatchError({ isModule: true, asModule: {}, toString: () => '{"index":99}' }, () => {
      throw new Error('unknown');
    });
    expect(words).toBe('module error {"index":99} (not in this runtime\'s metadata)');
  });

  it('explains token errors', () => {
    const words = describeDispatchError(
      { isModule: false, asModule: null, isToken: true, asToken: { type: 'FundsUnavailable' }, toString: () => '' },
      () => duplicate,
    );
    expect(words).toBe('token error: FundsUnavailable (the account does not have enough free balance)');
  });

  it('falls back to the error kind', () => {
    expect(describeDispatchError({ isModule: false, asModule: null, type: 'BadOrigin', toString: () => 'BadOrigin' }, () => duplicate)).toBe(
      'BadOrigin: BadOrigin',
    );
  });
});

describe('describeThrown', () => {
  it('uses the message of a pool rejection', () => {
    expect(describeThrown(new Error('1010: Invalid Transaction: Inability to pay some fees'))).toBe(
      '1010: Invalid Transaction: Inability to pay some fees',
    );
    expect(describeThrown('plain')).toBe('plain');
    expect(describeThrown({ code: 1 })).toBe('{"code":1}');
  });
});
