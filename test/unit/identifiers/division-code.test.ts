import { describe, expect, it } from 'vitest';
import { isValidDivisionCode, provinceAbbreviation } from '#lib/identifiers/division-code.ts';

describe('division codes (GB/T 2260)', () => {
  it('maps the four provinces and their cities to their abbreviations', () => {
    expect(provinceAbbreviation('310115')).toBe('沪');
    expect(provinceAbbreviation('320583')).toBe('苏');
    expect(provinceAbbreviation('330400')).toBe('浙');
    expect(provinceAbbreviation('340202')).toBe('皖');
    expect(provinceAbbreviation('990000')).toBeUndefined();
  });

  it('checks the shape only', () => {
    for (const value of ['310000', '320500', '340100']) expect(isValidDivisionCode(value)).toBe(true);
    for (const value of ['010000', '31000', '3100000', '31000A', 310000])
      expect(isValidDivisionCode(value)).toBe(false);
  });
});
