import { describe, expect, it } from 'vitest';
import { verifyResponseContract } from '#lib/passes/contracts.ts';
import { disclosePass, PASS_HOLDER_DISCLOSURE, PASS_VERIFIER_ROLES } from '#lib/passes/disclosure.ts';
import { type PassClaims, regionCovers } from '#lib/passes/pass-claims.ts';
import { ROLES } from '#lib/registry/partner.ts';

const base: PassClaims = {
  iss: 'sh-jtw',
  sub: 'pseudonym-abcdefghijklmnop',
  jti: 'pass-id-0123456789',
  iat: 1_796_284_800,
  nbf: 1_796_284_800,
  exp: 1_796_288_400,
  passType: 'person',
  scope: ['ferry'],
  holder: { name: '张*明', idLast4: '123X' },
  status: { idx: 9 },
};
const vehicle: PassClaims = { ...base, passType: 'vehicle', holder: { plate: '沪AD69287', name: '李*' } };
const vessel: PassClaims = {
  ...base,
  passType: 'vessel',
  holder: { shipName: '皖鸿运8088', shipId: 'CN20181234567' },
};

describe('pass disclosure policy', () => {
  it('is defined for exactly the roles that may verify passes', () => {
    expect(PASS_VERIFIER_ROLES.sort()).toEqual(['lock-operator', 'verifier']);
  });

  it('never discloses sub, jti or the status index, to any role or combination of roles', () => {
    for (const claims of [base, vehicle, vessel]) {
      for (const role of ROLES) {
        const disclosed = disclosePass(claims, [role]);
        expect(Object.keys(disclosed)).not.toContain('sub');
        expect(Object.keys(disclosed)).not.toContain('jti');
        expect(Object.keys(disclosed)).not.toContain('status');
      }
      expect(JSON.stringify(disclosePass(claims, ROLES))).not.toMatch(/pseudonym|pass-id/);
    }
  });

  it('gives a verifier the holder display claims of every pass type', () => {
    expect(disclosePass(base, ['verifier']).holder).toEqual({ name: '张*明', idLast4: '123X' });
    expect(disclosePass(vehicle, ['verifier']).holder).toEqual({ plate: '沪AD69287', name: '李*' });
    expect(disclosePass(vessel, ['verifier']).holder).toEqual(vessel.holder);
  });

  it('gives a lock operator a vessel only', () => {
    expect(PASS_HOLDER_DISCLOSURE['lock-operator']).toEqual(['shipName', 'shipId']);
    expect(disclosePass(vessel, ['lock-operator']).holder).toEqual(vessel.holder);
    expect(disclosePass(base, ['lock-operator']).holder).toBeUndefined();
    expect(disclosePass(vehicle, ['lock-operator']).holder).toBeUndefined();
  });

  it('gives roles outside the policy no holder claims, and the union for several roles', () => {
    expect(
      disclosePass(base, ['province', 'credential-issuer', 'municipal-platform']).holder,
    ).toBeUndefined();
    expect(disclosePass(base, ['lock-operator', 'verifier']).holder).toEqual(base.holder);
  });

  it('produces claims the response schema accepts', () => {
    for (const claims of [base, vehicle, { ...vessel, regions: ['320000'] }]) {
      for (const role of ROLES) {
        const result = { decision: 'accepted', claims: disclosePass(claims, [role]), receipt: 'a.b.c' };
        expect(verifyResponseContract.check(result)).toEqual([]);
      }
    }
  });
});

describe('regionCovers', () => {
  it('reads GB/T 2260 levels: province, prefecture, county', () => {
    expect(regionCovers('330000', '330402')).toBe(true);
    expect(regionCovers('330000', '320500')).toBe(false);
    expect(regionCovers('330400', '330402')).toBe(true);
    expect(regionCovers('330400', '330400')).toBe(true);
    expect(regionCovers('330400', '330100')).toBe(false);
    expect(regionCovers('310115', '310115')).toBe(true);
    expect(regionCovers('310115', '310000')).toBe(false);
    expect(regionCovers('310000', '310115')).toBe(true);
  });
});
