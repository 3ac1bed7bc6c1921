import { describe, expect, it } from 'vitest';
import { devAccounts } from './accounts';

describe('devAccounts', () => {
  it('derives the well-known sr25519 dev accounts with SS58 prefix 42', async () => {
    const accounts = await devAccounts();
    expect(accounts.map((a) => [a.name, a.address])).toEqual([
      ['Alice', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'],
      ['Bob', '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty'],
      ['Charlie', '5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y'],
      ['Dave', '5DAAnrj7VHTznn2AWBemMuyBwZWs6FNFjdyVXUeYum3PTXFy'],
      ['Eve', '5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw'],
      ['Ferdie', '5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL'],
    ]);
  });
});
