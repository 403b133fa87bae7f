// EFUEL amounts: exact decimal text <-> base units (bigint, 9 decimals). No
// floating point anywhere: the same rules as the Rust client's `parse_efuel`.

/** Decimals of the EFUEL mint. */
export const EFUEL_DECIMALS = 9;
/** Base units in one EFUEL. */
export const EFUEL = 10n ** BigInt(EFUEL_DECIMALS);
/** Largest u64. */
export const U64_MAX = (1n << 64n) - 1n;

export class AmountError extends Error {}

/**
 * Parses `12`, `12.5`, `0.000000001`, `1_000` (or `1,000.5` is refused) into
 * base units. Refuses signs, exponents, empty parts, more than 9 decimals and
 * anything above u64.
 */
export function parseEfuel(text: string): bigint {
  const s = text.trim();
  if (s === '') throw new AmountError('amount is empty: give a number of EFUEL such as 12.5');
  const m = /^([0-9](?:_?[0-9])*)(?:\.([0-9](?:_?[0-9])*))?$/.exec(s);
  if (!m) {
    throw new AmountError(`"${s}" is not an EFUEL amount: use digits with an optional decimal point, such as 12.5`);
  }
  const whole = m[1].replaceAll('_', '');
  const frac = (m[2] ?? '').replaceAll('_', '');
  if (frac.length > EFUEL_DECIMALS) {
    throw new AmountError(`"${s}" has more than 9 decimal places: EFUEL has 9 decimals (smallest unit 0.000000001)`);
  }
  const units = BigInt(whole) * EFUEL + BigInt(frac.padEnd(EFUEL_DECIMALS, '0') || '0');
  if (units > U64_MAX) {
    throw new AmountError(`"${s}" is too large: the most a u64 holds is 18446744073.709551615 EFUEL`);
  }
  return units;
}

/** Formats base units as EFUEL: `250.5`, `0.000000001`, `1000` (no trailing zeros; thousands grouped with a thin space when `group`). */
export function formatEfuel(units: bigint, opts: { group?: boolean } = {}): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const whole = (abs / EFUEL).toString();
  const frac = (abs % EFUEL).toString().padStart(EFUEL_DECIMALS, '0').replace(/0+$/, '');
  const w = opts.group ? whole.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009') : whole;
  return `${neg ? '-' : ''}${w}${frac ? '.' + frac : ''}`;
}

/** `formatEfuel` with the unit. */
export function efuel(units: bigint): string {
  return `${formatEfuel(units, { group: true })} EFUEL`;
}

/** Formats lamports as SOL exactly. */
export function formatSol(lamports: bigint): string {
  return formatEfuel(lamports); // SOL also has 9 decimals
}

/** Basis points as a percentage with up to two decimals, exact: 525 -> "5.25 %". */
export function formatBps(bps: number | bigint): string {
  const b = BigInt(bps);
  const whole = b / 100n;
  const frac = (b % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''} %`;
}

/** `part / whole` in basis points, rounded down (0 when whole is 0). */
export function ratioBps(part: bigint, whole: bigint): bigint {
  return whole === 0n ? 0n : (part * 10_000n) / whole;
}

/** A duration in seconds as `1d 2h`, `3m 59s`, `12s`. */
export function formatDuration(seconds: number | bigint): string {
  let s = Number(seconds);
  if (s <= 0) return '0s';
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m && !d) parts.push(`${m}m`);
  if (!d && !h) parts.push(`${s}s`);
  return parts.join(' ');
}

/** Shortens an address for tables: `Ar8P…x9Qz`. */
export function short(address: string): string {
  return address.length > 12 ? `${address.slice(0, 4)}…${address.slice(-4)}` : address;
}
