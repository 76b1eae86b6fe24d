import { describe, expect, it } from 'vitest';
import { partners } from '#infra/partners.ts';
import { type DisclosureTier, discloseLicence, disclosureTier, maskId } from '#lib/licences/disclosure.ts';
import { licenceViewContract } from '#lib/licences/licence-contracts.ts';
import type { LicencePayload } from '#lib/licences/licence-types.ts';
import { allLicenceFixtures, licenceFixtures } from '../../fixtures/licences/index.ts';

const practitioner = licenceFixtures['practitioner-qualification'][1]
  ?.payload as LicencePayload<'practitioner-qualification'>;
const permit = licenceFixtures['road-transport-operating-permit'][0]
  ?.payload as LicencePayload<'road-transport-operating-permit'>;
const vehicle = licenceFixtures['vehicle-transport-certificate'][1]
  ?.payload as LicencePayload<'vehicle-transport-certificate'>;

/** The publishing partner as the trust registry knows it (the demo registry: infra/partners.ts). */
const registered = (licence: LicencePayload) => {
  const partner = partners.find((candidate) => candidate.id === licence.issuer.partnerId);
  if (!partner) throw new Error(`no partner ${licence.issuer.partnerId}`);
  return { name: partner.name };
};
const disclose = (licence: LicencePayload, tier: DisclosureTier) =>
  discloseLicence(licence, tier, registered(licence));

describe('disclosureTier', () => {
  it('shows the issuer everything, whatever its roles', () => {
    expect(disclosureTier({ partnerId: 'zj-jtt', roles: ['verifier'] }, 'zj-jtt')).toBe('full');
  });

  it('gives provinces and municipal platforms the recognition view', () => {
    expect(
      disclosureTier({ partnerId: 'sh-jtw', roles: ['province', 'credential-issuer', 'verifier'] }, 'zj-jtt'),
    ).toBe('recognition');
    expect(disclosureTier({ partnerId: 'sh-yiwangtong', roles: ['municipal-platform'] }, 'zj-jtt')).toBe(
      'recognition',
    );
  });

  it('gives checkpoints and lock operators the checkpoint view', () => {
    expect(disclosureTier({ partnerId: 'zj-checkpoint-jiaxing', roles: ['verifier'] }, 'zj-jtt')).toBe(
      'checkpoint',
    );
    expect(disclosureTier({ partnerId: 'js-jianbi-lock', roles: ['lock-operator'] }, 'zj-jtt')).toBe(
      'checkpoint',
    );
  });
});

describe('maskId', () => {
  it('keeps at most a quarter, up to 4 characters, at each end', () => {
    expect(maskId('330106197905160028')).toBe('3301**********0028');
    expect(maskId('E12345678')).toBe('E1*****78');
    expect(maskId('ABC')).toBe('***');
    expect(maskId('')).toBe('');
  });
});

describe('discloseLicence', () => {
  it('gives the issuer the licence as issued', () => {
    const view = disclose(practitioner, 'full');
    expect(view.holder).toEqual(practitioner.holder);
    expect(view.licenceNo).toBe(practitioner.licenceNo);
    expect(view.fields).toEqual(practitioner.fields);
    expect(view.licenceName).toBe('道路运输从业人员从业资格证');
  });

  it('never shows others a personal ID in full, nor a licence number that is one', () => {
    for (const tier of ['recognition', 'checkpoint'] as const) {
      const view = disclose(practitioner, tier);
      expect(view.holder).toEqual({ name: '陈晓梅', idType: '111', id: '3301**********0028' });
      expect(practitioner.licenceNo).toBe(practitioner.holder.id);
      expect(view.licenceNo).toBe('3301**********0028');
      expect(JSON.stringify(view)).not.toContain(practitioner.holder.id);
    }
  });

  it('shows an organisation holder unmasked (a USCC is public)', () => {
    expect(disclose(permit, 'checkpoint').holder.id).toBe(permit.holder.id);
  });

  it('gives a checkpoint only the essentials of the type', () => {
    const view = disclose(permit, 'checkpoint');
    expect(view.fields).toEqual({ businessScope: permit.fields.businessScope });
    expect(view).not.toHaveProperty('issueDate');
    expect(view).not.toHaveProperty('licenceIdentifier');
    expect(view.issuer).toEqual({
      partnerId: 'sh-jtw',
      partnerName: '上海市交通委员会',
      name: '上海市交通委员会',
    });
    expect(disclose(vehicle, 'checkpoint').fields).toMatchObject({
      plateNo: '浙F3K579',
      tonnageT: 12.3,
    });
  });

  it('gives a recognising province more, but not personal details', () => {
    const view = disclose(permit, 'recognition');
    expect(view.fields).toEqual({
      businessScope: permit.fields.businessScope,
      economicType: 'LIMITED_LIABILITY',
    });
    expect(view.licenceIdentifier).toBe(permit.licenceIdentifier);
    expect(view.issueDate).toBe(permit.issueDate);
    expect(JSON.stringify(view)).not.toContain(permit.fields.address);
    expect(JSON.stringify(view)).not.toContain(permit.fields.legalRepresentative as string);
  });

  it('produces views that match the licence-view contract for every fixture and tier', () => {
    for (const { payload } of allLicenceFixtures) {
      for (const tier of ['full', 'recognition', 'checkpoint'] as const) {
        expect(licenceViewContract.check(disclose(payload, tier))).toEqual([]);
      }
    }
  });

  it('names the publishing partner from the registry beside the authority the licence names, in every tier', () => {
    // A city authority's licence, published by its province: the authority is the licence's, the
    // voucher is the registry's.
    const suzhou = structuredClone(permit);
    suzhou.issuer = {
      partnerId: 'js-jtt',
      name: '苏州市交通运输局',
      code: '113205000141600138',
      divisionCode: '320500',
    };
    for (const tier of ['full', 'recognition', 'checkpoint'] as const) {
      const view = discloseLicence(suzhou, tier, { name: '江苏省交通运输厅' });
      expect(view.issuer).toMatchObject({
        partnerId: 'js-jtt',
        partnerName: '江苏省交通运输厅',
        name: '苏州市交通运输局',
      });
      expect(licenceViewContract.check(view)).toEqual([]);
    }
  });

  it('does not share structure with the licence (a view can be changed safely)', () => {
    const view = disclose(permit, 'full');
    (view.fields.businessScope as string[]).push('FREIGHT_TANK');
    expect(permit.fields.businessScope).not.toContain('FREIGHT_TANK');
  });
});
