import { describe, expect, it } from 'vitest';
import { AmountError, EFUEL, formatBps, formatDuration, formatEfuel, parseEfuel, ratioBps, U64_MAX } from '../../src/amount';

describe('parseEfuel', () => {
  it('parses whole and decimal EFUEL into exact base units', () => {
    expect(parseEfuel('12')).toBe(12n * EFUEL);
    expect(parseEfuel('250.5')).toBe(250_500_000_000n);
    expect(parseEfuel('0.000000001')).toBe(1n);
    expect(parseEfuel(' 1_000.25 ')).toBe(1_000_250_000_000n);
    expect(parseEfuel('0')).toBe(0n);
    expect(parseEfuel('18446744073.709551615')).toBe(U64_MAX);
    // 0.1 + 0.2 in floats is 0.30000000000000004: here it is exact.
    expect(parseEfuel('0.1') + parseEfuel('0.2')).toBe(parseEfuel('0.3'));
  });

  it.each([
    ['', 'empty'],
    ['-1', 'is not an EFUEL amount'],
    ['+1', 'is not an EFUEL amount'],
    ['1e9', 'is not an EFUEL amount'],
    ['1,5', 'is not an EFUEL amount'],
    ['.5', 'is not an EFUEL amount'],
    ['5.', 'is not an EFUEL amount'],
    ['1__0', 'is not an EFUEL amount'],
    ['_1', 'is not an EFUEL amount'],
    ['NaN', 'is not an EFUEL amount'],
    ['0.0000000001', 'more than 9 decimal places'],
    ['18446744073.709551616', 'too large'],
    ['99999999999999999999999', 'too large'],
  ])('refuses %j (%s)', (text, why) => {
    expect(() => parseEfuel(text)).toThrow(AmountError);
    expect(() => parseEfuel(text)).toThrow(why);
  });
});

describe('formatEfuel', () => {
  it('prints base units exactly without trailing zeros', () => {
    expect(formatEfuel(250_500_000_000n)).toBe('250.5');
    expect(formatEfuel(1n)).toBe('0.000000001');
    expect(formatEfuel(0n)).toBe('0');
    expect(formatEfuel(100_000n * EFUEL)).toBe('100000');
    expect(formatEfuel(100_000n * EFUEL, { group: true })).toBe('100\u2009000');
    expect(formatEfuel(U64_MAX)).toBe('18446744073.709551615');
    expect(formatEfuel(-1n)).toBe('-0.000000001');
  });

  it('round-trips with parseEfuel', () => {
    for (const units of [0n, 1n, 999_999_999n, EFUEL, 123_456_789_012_345_678n, U64_MAX]) {
      expect(parseEfuel(formatEfuel(units))).toBe(units);
    }
  });
});

describe('bps, ratios and durations', () => {
  it('formats bps exactly', () => {
    expect(formatBps(500)).toBe('5 %');
    expect(formatBps(525)).toBe('5.25 %');
    expect(formatBps(1)).toBe('0.01 %');
    expect(formatBps(10_000n)).toBe('100 %');
  });
  it('rounds ratios down and survives a zero whole', () => {
    expect(ratioBps(1n, 3n)).toBe(3333n);
    expect(ratioBps(5n, 0n)).toBe(0n);
  });
  it('formats countdowns', () => {
    expect(formatDuration(239)).toBe('3m 59s');
    expect(formatDuration(12)).toBe('12s');
    expect(formatDuration(3 * 86400 + 7200 + 60)).toBe('3d 2h');
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(-5)).toBe('0s');
  });
});
