import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatLicenceIdentifier,
  isValidLicenceIdentifier,
  licenceIdentifierCheckCharacter,
  parseLicenceIdentifier,
} from '#lib/identifiers/licence-identifier.ts';

// DOMAIN.md §1.4: two real identifiers and the synthetic 经营许可证 one. They must pass.
const KNOWN = [
  '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U',
  '1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0',
  '1.2.156.3005.2.11100000000019713D008.11310000002435681K.310115000001.001.S',
];
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const alnum = (min: number, max: number) =>
  fc.array(fc.constantFrom(...ALPHABET), { minLength: min, maxLength: max }).map((chars) => chars.join(''));
const identifier = fc
  .record({
    typeCode: alnum(21, 21),
    issuerCode: alnum(18, 18),
    serial: alnum(1, 64),
    version: fc.integer({ min: 1, max: 999 }).map((v) => String(v).padStart(3, '0')),
  })
  .map(formatLicenceIdentifier);

/** Indexes of the characters the check covers, plus the check itself (not the dots or the root). */
const checkedPositions = (value: string) =>
  [...value]
    .map((_, index) => index)
    .filter((index) => index >= '1.2.156.3005.2.'.length && value[index] !== '.');

describe('licence identifier (GB/T 36904-2018)', () => {
  it.each(KNOWN)('parses %s with a valid check', (value) => {
    const parsed = parseLicenceIdentifier(value);
    expect(parsed?.checkValid).toBe(true);
    expect(isValidLicenceIdentifier(value)).toBe(true);
  });

  it('splits an identifier into its parts', () => {
    expect(parseLicenceIdentifier(KNOWN[2])).toEqual({
      parts: {
        typeCode: '11100000000019713D008',
        issuerCode: '11310000002435681K',
        serial: '310115000001',
        version: '001',
        check: 'S',
      },
      checkValid: true,
    });
  });

  it('reports a wrong check character without refusing to parse (a warning, not an error)', () => {
    const offByOne = `${KNOWN[2]?.slice(0, -1)}T`;
    expect(parseLicenceIdentifier(offByOne)).toMatchObject({ parts: { check: 'T' }, checkValid: false });
    expect(isValidLicenceIdentifier(offByOne)).toBe(false);
  });

  it.each(KNOWN)('fails the check for every single-character substitution of %s', (value) => {
    const mutants = checkedPositions(value).flatMap((index) =>
      [...ALPHABET]
        .filter((c) => c !== value[index])
        .map((c) => value.slice(0, index) + c + value.slice(index + 1)),
    );
    expect(mutants.filter(isValidLicenceIdentifier)).toEqual([]);
  });

  it('round-trips generated check characters, and catches any single substitution (ISO 7064 hybrid property)', () => {
    fc.assert(
      fc.property(identifier, fc.nat(), fc.constantFrom(...ALPHABET), (value, pick, replacement) => {
        expect(parseLicenceIdentifier(value)?.checkValid).toBe(true);
        const positions = checkedPositions(value);
        const index = positions[pick % positions.length] as number;
        fc.pre(value[index] !== replacement);
        // A letter in the version makes the value unparseable; either way it is not valid.
        expect(isValidLicenceIdentifier(value.slice(0, index) + replacement + value.slice(index + 1))).toBe(
          false,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('returns undefined for values not shaped like an identifier', () => {
    const [good = ''] = KNOWN;
    for (const value of [
      good.replace('1.2.156', '1.2.840'),
      good.toLowerCase(),
      good.replace('.001.', '.1.'),
      good.replace('.20230000403.', '..'),
      `${good}.X`,
      '',
      42,
      null,
    ]) {
      expect(parseLicenceIdentifier(value)).toBeUndefined();
    }
  });

  it('computes the check character only over 0-9A-Z', () => {
    expect(licenceIdentifierCheckCharacter('11100000000019713D00811310000002435681K310115000001001')).toBe(
      'S',
    );
    expect(() => licenceIdentifierCheckCharacter('')).toThrow(RangeError);
    expect(() => licenceIdentifierCheckCharacter('abc')).toThrow(RangeError);
    expect(() =>
      formatLicenceIdentifier({
        typeCode: 'PLACEHOLDER',
        issuerCode: '11310000002435681K',
        serial: '1',
        version: '001',
      }),
    ).toThrow(RangeError);
  });
});
