import { describe, expect, it } from 'vitest';
import { partners } from '#infra/partners.ts';
import { jurisdictionErrors } from '#lib/licences/jurisdiction.ts';
import { allLicenceFixtures } from '../../fixtures/licences/index.ts';

/** Issuing authorities (颁发机构) with GB 32100-valid USCCs. */
const SHANGHAI = { code: '11310000002435681K', divisionCode: '310000' }; // 上海市交通委员会
const JIANGSU = { code: '113200000140032105', divisionCode: '320000' }; // 江苏省交通运输厅
const SUZHOU = { code: '113205000141600138', divisionCode: '320500' }; // 苏州市交通运输局
const KUNSHAN = { code: '11320583014161235A', divisionCode: '320583' }; // 昆山市 (county of 苏州)
const JIAXING = { code: '11330400002503170W', divisionCode: '330400' }; // 嘉兴市交通运输局

const JS = { partnerId: 'js-jtt', divisionCode: '320000' };
const pointers = (errors: { pointer: string }[]) => errors.map((error) => error.pointer);

describe('jurisdictionErrors', () => {
  it("accepts the province's own department and every authority below it", () => {
    for (const authority of [JIANGSU, SUZHOU, KUNSHAN]) expect(jurisdictionErrors(authority, JS)).toEqual([]);
  });

  it("refuses another province's authority, by its division and by its USCC", () => {
    const errors = jurisdictionErrors(SHANGHAI, JS);
    expect(pointers(errors)).toEqual(['/issuer/divisionCode', '/issuer/code']);
    expect(errors[0]?.detail).toBe('division 310000 is outside the jurisdiction of js-jtt (320000 苏)');
    expect(errors[1]?.detail).toMatch(/registered in 310000 \(positions 3-8\).*js-jtt \(320000 苏\)/);
  });

  it('checks the division and the USCC independently: one foreign part is enough', () => {
    // Shanghai's USCC with a Jiangsu division, and the other way round.
    expect(pointers(jurisdictionErrors({ ...SHANGHAI, divisionCode: '320500' }, JS))).toEqual([
      '/issuer/code',
    ]);
    expect(pointers(jurisdictionErrors({ ...JIANGSU, divisionCode: '310115' }, JS))).toEqual([
      '/issuer/divisionCode',
    ]);
  });

  it('holds a city partner to its city: not the province above it, not a sibling city', () => {
    const city = { partnerId: 'js-suzhou-jtj', divisionCode: '320500' };
    expect(jurisdictionErrors(SUZHOU, city)).toEqual([]);
    expect(jurisdictionErrors(KUNSHAN, city)).toEqual([]);
    expect(pointers(jurisdictionErrors(JIANGSU, city))).toEqual(['/issuer/divisionCode', '/issuer/code']);
    expect(pointers(jurisdictionErrors({ ...SUZHOU, divisionCode: '321100' }, city))).toEqual([
      '/issuer/divisionCode',
    ]);
    expect(pointers(jurisdictionErrors(JIAXING, { partnerId: 'zj-jtt', divisionCode: '330000' }))).toEqual(
      [],
    );
  });

  it('fails closed for a partner the registry holds no jurisdiction for', () => {
    const errors = jurisdictionErrors(JIANGSU, { partnerId: 'js-jtt' });
    expect(pointers(errors)).toEqual(['/issuer/partnerId']);
    expect(errors[0]?.detail).toMatch(/no jurisdiction for js-jtt/);
  });

  it('finds every licence fixture within the jurisdiction of the demo partner that publishes it', () => {
    for (const { name, payload } of allLicenceFixtures) {
      const partner = partners.find((candidate) => candidate.id === payload.issuer.partnerId);
      expect(partner, name).toBeDefined();
      expect(
        jurisdictionErrors(payload.issuer, {
          partnerId: payload.issuer.partnerId,
          divisionCode: partner?.divisionCode,
        }),
        name,
      ).toEqual([]);
    }
  });
});
