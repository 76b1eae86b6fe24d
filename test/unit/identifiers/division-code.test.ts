import { describe, expect, it } from 'vitest';
import { divisionCovers, isValidDivisionCode, provinceAbbreviation } from '#lib/identifiers/division-code.ts';

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

  it('covers by the level of the jurisdiction: province, prefecture, county', () => {
    // A province covers itself and everything in it.
    for (const code of ['310000', '310115', '310100', '319999'])
      expect(divisionCovers('310000', code)).toBe(true);
    // A prefecture covers itself and its counties, not its province nor a sibling.
    for (const code of ['320500', '320583', '320599']) expect(divisionCovers('320500', code)).toBe(true);
    for (const code of ['320000', '321100', '320600', '320400', '330500'])
      expect(divisionCovers('320500', code)).toBe(false);
    // A county covers only itself.
    expect(divisionCovers('320583', '320583')).toBe(true);
    for (const code of ['320500', '320582', '320584']) expect(divisionCovers('320583', code)).toBe(false);
    // Neighbouring provinces share no prefix.
    expect(divisionCovers('320000', '310115')).toBe(false);
    expect(divisionCovers('310000', '320000')).toBe(false);
  });

  it('lets nothing malformed cover or be covered', () => {
    for (const bad of ['', '31', '3100000', '31000A', '000000', '910000']) {
      expect(divisionCovers(bad, '310115')).toBe(false);
      expect(divisionCovers('310000', bad)).toBe(false);
    }
  });
});
