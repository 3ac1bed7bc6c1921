// Balance display. TRIB has 12 decimals (README: "The token is TRIB with 12 decimals"); the app
// reads the real figure from the chain's properties and only falls back to these.

export const DEFAULT_DECIMALS = 12;
export const DEFAULT_SYMBOL = 'TRIB';

/** Formats planck as a decimal amount, trimming trailing zeros, e.g. 1500000000000n → "1.5 TRIB". */
export function formatBalance(planck: bigint, decimals = DEFAULT_DECIMALS, symbol = DEFAULT_SYMBOL): string {
  const negative = planck < 0n;
  const abs = negative ? -planck : planck;
  const unit = 10n ** BigInt(decimals);
  const whole = abs / unit;
  const fraction = (abs % unit).toString().padStart(decimals, '0').replace(/0+$/, '');
  const wholeText = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const amount = fraction ? `${wholeText}.${fraction}` : wholeText;
  return `${negative ? '-' : ''}${amount}${symbol ? ` ${symbol}` : ''}`;
}

/** A parts-per-billion share as a percentage with two decimals, e.g. 123456789 → "12.35 %". */
export function formatPpb(partsPerBillion: number): string {
  return `${(partsPerBillion / 1e7).toFixed(2)} %`;
}

/**
 * Parses a decimal amount typed by a person ("1.5") into planck; null when it is not a plain
 * non-negative decimal or has more fraction digits than the token has decimals.
 */
export function parseBalance(text: string, decimals = DEFAULT_DECIMALS): bigint | null {
  const match = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(text.replace(/,/g, ''));
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return BigInt(match[1] || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}
