// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountProvider, useAccounts } from '../chain/AccountContext';
import { AccountPicker } from './AccountPicker';

function Selected() {
  const { selected } = useAccounts();
  return <output aria-label="selected">{selected ? `${selected.name} ${selected.address}` : ''}</output>;
}

afterEach(() => {
  cleanup();
  localStorage.clear();
});

describe('AccountPicker', () => {
  it('offers the six dev accounts without an extension, Charlie first selected, and remembers a choice', async () => {
    render(
      <AccountProvider>
        <AccountPicker />
        <Selected />
      </AccountProvider>,
    );
    const picker = screen.getByLabelText('Signing account');
    await screen.findByText('Ferdie (dev)');
    expect([...picker.querySelectorAll('option')].map((o) => o.textContent?.trim())).toEqual(
      ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'].map((name) => `${name} (dev)`),
    );
    // Addresses are checked in accounts.test.ts, in Node: under jsdom the SS58 checksum comes out
    // wrong (jsdom's typed arrays are another realm's), while browsers and Node agree.
    expect(screen.getByLabelText('selected').textContent).toMatch(/^Charlie 5/);
    const bob = [...picker.querySelectorAll('option')].find((o) => o.textContent?.startsWith('Bob'))!;
    fireEvent.change(picker, { target: { value: bob.getAttribute('value') } });
    expect(screen.getByLabelText('selected').textContent).toMatch(/^Bob 5/);
    expect(localStorage.getItem('tributary-studio-account')).toBe(bob.getAttribute('value'));
  });
});
