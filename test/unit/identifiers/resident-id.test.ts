import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidResidentId, residentIdCheckCharacter } from '#lib/identifiers/resident-id.ts';

// DOMAIN.md §1.3 (standard example + synthetic) and the fixtures' holders.
const KNOWN = [
  '11010519491231002X',
  '310115199003071239',
  '320582198506124565',
  '340104198811230316',
  '330106197905160028',
  '321102198203150034',
  '340503197712040059',
  '340202197506210042',
];

const digits = '0123456789';
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const residentId = fc
  .tuple(
    fc.constantFrom('110105', '310115', '320583', '330402', '340202'),
    fc.date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2025-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    fc.nat(999),
  )
  .map(([area, date, sequence]) => {
    const body = `${area}${date.toISOString().slice(0, 10).replaceAll('-', '')}${pad(sequence, 3)}`;
    return body + residentIdCheckCharacter(body);
  });

describe('resident ID number (GB 11643-1999)', () => {
  it.each(KNOWN)('accepts %s', (id) => {
    expect(isValidResidentId(id)).toBe(true);
  });

  it.each(KNOWN)('rejects every single-character substitution of %s', (id) => {
    const mutants = [...id].flatMap((original, index) =>
      [...(index === 17 ? `${digits}X` : digits)]
        .filter((c) => c !== original)
        .map((c) => id.slice(0, index) + c + id.slice(index + 1)),
    );
    expect(mutants.filter(isValidResidentId)).toEqual([]);
  });

  it('round-trips generated check characters, and catches any single substitution', () => {
    // Weights 2^k mod 11 are units mod 11 and two digits differ by less than 11, so the sum moves.
    fc.assert(
      fc.property(residentId, fc.nat(17), fc.constantFrom(...`${digits}X`), (id, index, replacement) => {
        expect(isValidResidentId(id)).toBe(true);
        fc.pre(id[index] !== replacement && (index === 17 || replacement !== 'X'));
        expect(isValidResidentId(id.slice(0, index) + replacement + id.slice(index + 1))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects impossible birth dates even with a fitting check character', () => {
    const withCheck = (body: string) => body + residentIdCheckCharacter(body);
    expect(isValidResidentId(withCheck('11010520000229002'))).toBe(true); // 2000 is a leap year
    expect(isValidResidentId(withCheck('11010519000229002'))).toBe(false); // 1900 is not
    expect(isValidResidentId(withCheck('11010519490231002'))).toBe(false);
    expect(isValidResidentId(withCheck('11010519491331002'))).toBe(false);
    expect(isValidResidentId(withCheck('11010518991231002'))).toBe(false);
  });

  it('rejects lower-case x, 15-digit legacy numbers and non-strings', () => {
    expect(isValidResidentId('11010519491231002x')).toBe(false);
    expect(isValidResidentId('110105491231002')).toBe(false);
    expect(isValidResidentId(11010519491231002)).toBe(false);
    expect(() => residentIdCheckCharacter('1101051949123100')).toThrow(RangeError);
  });
});
