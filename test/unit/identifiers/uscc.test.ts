import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidOrgCode, orgCodeCheckCharacter } from '#lib/identifiers/org-code.ts';
import {
  isValidUscc,
  USCC_CHARSET,
  usccCheckCharacter,
  usccDivisionCode,
  usccOrgCodeIsValid,
} from '#lib/identifiers/uscc.ts';

// DOMAIN.md §1.2: one known-good code, the synthetic ones, the agency code; plus the ministries'
// codes embedded in the GB/T 36904 examples (§1.4).
const KNOWN = [
  '9144030071526726XG',
  '91310115MA1K4A7B0D',
  '91320583MA1MXY2Q7K',
  '91330502MA2B3C4D1U',
  '91340202MA2N8P7Q0C',
  '11310000002435681K',
  '11100000000019713D',
  '11100000000013338W',
  '11430000006122244L',
  '11330105002500287C',
];

const usccChar = fc.constantFrom(...USCC_CHARSET);
const usccBody = fc.array(usccChar, { minLength: 17, maxLength: 17 }).map((chars) => chars.join(''));

/** Every value that differs from `value` in exactly one position, using `alphabet` there. */
function singleSubstitutions(value: string, alphabetAt: (index: number) => string): string[] {
  return [...value].flatMap((original, index) =>
    [...alphabetAt(index)]
      .filter((c) => c !== original)
      .map((c) => value.slice(0, index) + c + value.slice(index + 1)),
  );
}

describe('USCC (GB 32100-2015)', () => {
  it.each(KNOWN)('accepts %s, whose inner organisation code also verifies', (code) => {
    expect(isValidUscc(code)).toBe(true);
    expect(usccOrgCodeIsValid(code)).toBe(true);
    expect(usccCheckCharacter(code.slice(0, 17))).toBe(code[17]);
  });

  it.each(KNOWN)('rejects every single-character substitution of %s', (code) => {
    const mutants = singleSubstitutions(code, () => USCC_CHARSET);
    expect(mutants).toHaveLength(18 * 30);
    expect(mutants.filter(isValidUscc)).toEqual([]);
  });

  it('round-trips generated check characters, and catches any single substitution (weights are units mod 31)', () => {
    fc.assert(
      fc.property(usccBody, fc.nat(17), usccChar, (body, index, replacement) => {
        const code = body + usccCheckCharacter(body);
        expect(isValidUscc(code)).toBe(true);
        fc.pre(code[index] !== replacement);
        expect(isValidUscc(code.slice(0, index) + replacement + code.slice(index + 1))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects letters outside the charset, lower case, wrong lengths and non-strings', () => {
    for (const value of [
      '9144030071526726XI',
      '9144030071526726xg',
      '9144030071526726X',
      '9144030071526726XGG',
      '',
    ]) {
      expect(isValidUscc(value)).toBe(false);
    }
    expect(isValidUscc(9144030071526726)).toBe(false);
    expect(isValidUscc(undefined)).toBe(false);
  });

  it('refuses to compute a check character for a malformed body', () => {
    expect(() => usccCheckCharacter('9144030071526726')).toThrow(RangeError);
    expect(() => usccCheckCharacter('9144030071526726O')).toThrow(RangeError);
  });

  it('keeps the inner GB 11714 check separate from validity', () => {
    const innerWrong = '91310115MA1K4A7B1'; // inner check should be 0
    const code = innerWrong + usccCheckCharacter(innerWrong);
    expect(isValidUscc(code)).toBe(true);
    expect(usccOrgCodeIsValid(code)).toBe(false);
  });
});

describe('organisation code (GB 11714-1997)', () => {
  it('verifies the codes inside the known USCCs', () => {
    for (const code of KNOWN) {
      expect(isValidOrgCode(code.slice(8, 17))).toBe(true);
      expect(orgCodeCheckCharacter(code.slice(8, 16))).toBe(code[16]);
    }
    expect(orgCodeCheckCharacter('71526726')).toBe('X');
  });

  it('catches any single digit-for-digit substitution (differences below 11, weights units mod 11)', () => {
    const digitBody = fc
      .array(fc.constantFrom(...'0123456789'), { minLength: 8, maxLength: 8 })
      .map((d) => d.join(''));
    fc.assert(
      fc.property(digitBody, fc.nat(7), fc.constantFrom(...'0123456789'), (body, index, replacement) => {
        const code = body + orgCodeCheckCharacter(body);
        fc.pre(code[index] !== replacement);
        expect(isValidOrgCode(code.slice(0, index) + replacement + code.slice(index + 1))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('does NOT catch every letter substitution: the modulus is 11, letters go up to 35', () => {
    // '0' (0) → 'B' (11): the weighted sum moves by a multiple of 11. Why the USCC check is the one
    // that decides validity.
    expect(isValidOrgCode('002502514')).toBe(true);
    expect(isValidOrgCode('B02502514')).toBe(true);
  });
});

describe('USCC registration division (positions 3-8)', () => {
  it('reads the GB/T 2260 code where the entity is registered', () => {
    expect(usccDivisionCode('11310000002435681K')).toBe('310000'); // 上海市交通委员会
    expect(usccDivisionCode('113205000141600138')).toBe('320500'); // a 苏州 authority
    expect(usccDivisionCode('91320583MA1MXY2Q7K')).toBe('320583'); // an enterprise in 昆山
  });
});
