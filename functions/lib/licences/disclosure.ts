import type { HolderIdType, LicencePayload, LicenceType } from '#lib/licences/licence-types.ts';
import { LICENCE_TYPES } from '#lib/licences/licence-types.ts';
import type { Partner, Role } from '#lib/registry/partner.ts';

/**
 * Data minimisation (数据最小化): what of a licence each partner is shown. One table decides it, so
 * a new role or licence type is one entry here and a test, not a search through handlers.
 *
 * - `full`: the issuer of the licence sees its own licence as issued.
 * - `recognition`: another province or a municipal platform recognising the licence for a public
 *   service (异地办理) sees what such a service needs: the licence's identity and dates, the
 *   holder with a personal ID masked, and the type's fields except personal details
 *   (a legal representative's name, an address, training and integrity records).
 * - `checkpoint`: a checkpoint verifier or a lock operator sees what an inspection needs: type,
 *   number, holder name, validity and the type's essentials (plate, categories, capacity, ship).
 *
 * A personal ID (居民身份证, passport, travel permits) is never shown in full to anyone but the
 * issuer; nor is a licence number that is the holder's ID number (some 从业资格证 use it).
 */
export type DisclosureTier = 'full' | 'recognition' | 'checkpoint';

/** The tier of each role for licences it did not issue; a partner with several roles gets the widest. */
const ROLE_TIERS: Readonly<Record<Role, Exclude<DisclosureTier, 'full'>>> = {
  province: 'recognition',
  'municipal-platform': 'recognition',
  'credential-issuer': 'recognition',
  verifier: 'checkpoint',
  'lock-operator': 'checkpoint',
};

/** The type-specific fields each tier below `full` may see. */
const FIELDS: Readonly<
  Record<LicenceType, { checkpoint: readonly string[]; recognition: readonly string[] }>
> = {
  'road-transport-operating-permit': {
    checkpoint: ['businessScope'],
    recognition: ['businessScope', 'economicType'],
  },
  'vehicle-transport-certificate': {
    checkpoint: ['plateNo', 'plateColour', 'vehicleType', 'tonnageT', 'seats', 'operatingPermitNo'],
    recognition: ['plateNo', 'plateColour', 'vehicleType', 'tonnageT', 'seats', 'operatingPermitNo'],
  },
  'practitioner-qualification': {
    checkpoint: ['categories'],
    recognition: ['categories', 'firstIssueDate'],
  },
  'crew-competency-certificate': {
    checkpoint: ['capacity', 'navigationArea', 'shipClass', 'limitations'],
    recognition: ['capacity', 'navigationArea', 'shipClass', 'limitations'],
  },
  'vessel-nationality-certificate': {
    checkpoint: ['shipName', 'shipIdentificationNumber', 'mmsi', 'grossTonnage', 'netTonnage', 'shipType'],
    recognition: [
      'shipName',
      'shipIdentificationNumber',
      'mmsi',
      'registrationNo',
      'portOfRegistry',
      'grossTonnage',
      'netTonnage',
      'shipType',
    ],
  },
};

const PERSONAL_ID_TYPES: ReadonlySet<HolderIdType> = new Set(['111', '414', '511', '516', '999']);

/** What a partner is shown of a licence (a subset of the payload, IDs possibly masked). */
export interface LicenceView {
  licenceType: string;
  /** 证照名称, e.g. 道路运输证. */
  licenceName: string;
  licenceNo: string;
  licenceTypeCode?: string;
  licenceIdentifier?: string;
  /**
   * `partnerId` and `partnerName`: the partner that vouches for the licence, as the trust registry
   * knows it; `name`, `code`, `divisionCode`: the issuing authority as the licence states it.
   */
  issuer: { partnerId: string; partnerName: string; name: string; code?: string; divisionCode?: string };
  holder: { name: string; idType: string; id: string };
  issueDate?: string;
  validFrom: string;
  validTo?: string;
  version: number;
  fields: Record<string, unknown>;
}

/** The tier for `viewer` looking at a licence issued by `issuerId`. */
export function disclosureTier(
  viewer: { partnerId: string; roles: readonly Role[] },
  issuerId: string,
): DisclosureTier {
  if (viewer.partnerId === issuerId) return 'full';
  return viewer.roles.some((role) => ROLE_TIERS[role] === 'recognition') ? 'recognition' : 'checkpoint';
}

/**
 * Masks an identifier, keeping at most a quarter of it (up to 4 characters) at each end:
 * `330106197905160028` → `3301**********0028`, `E12345678` → `E1*****78`.
 */
export function maskId(id: string): string {
  const chars = [...id];
  const keep = Math.min(4, Math.floor(chars.length / 4));
  if (chars.length === 0) return id;
  return chars.map((c, i) => (i < keep || i >= chars.length - keep ? c : '*')).join('');
}

/**
 * The licence as `tier` may see it. `issuer` is the partner that published it, from the trust
 * registry: every view names it (`issuer.partnerName`) beside the authority the payload names, so a
 * verifier sees who vouches for the licence, not only who the licence says issued it.
 */
export function discloseLicence(
  licence: LicencePayload,
  tier: DisclosureTier,
  issuer: Pick<Partner, 'name'>,
): LicenceView {
  const definition = LICENCE_TYPES[licence.licenceType];
  const base = {
    licenceType: licence.licenceType,
    licenceName: definition.name,
  };
  if (tier === 'full') {
    return {
      ...base,
      licenceNo: licence.licenceNo,
      licenceTypeCode: licence.licenceTypeCode,
      ...(licence.licenceIdentifier === undefined ? {} : { licenceIdentifier: licence.licenceIdentifier }),
      issuer: { ...licence.issuer, partnerName: issuer.name },
      holder: { ...licence.holder },
      issueDate: licence.issueDate,
      validFrom: licence.validFrom,
      ...(licence.validTo === undefined ? {} : { validTo: licence.validTo }),
      version: licence.version,
      fields: structuredClone(licence.fields) as unknown as Record<string, unknown>,
    };
  }
  const personal = PERSONAL_ID_TYPES.has(licence.holder.idType);
  const holderId = personal ? maskId(licence.holder.id) : licence.holder.id;
  const licenceNo =
    personal && licence.licenceNo.includes(licence.holder.id) ? maskId(licence.licenceNo) : licence.licenceNo;
  const fields: Record<string, unknown> = {};
  const source = licence.fields as unknown as Record<string, unknown>;
  for (const name of FIELDS[licence.licenceType][tier]) {
    if (source[name] !== undefined) fields[name] = structuredClone(source[name]);
  }
  const view: LicenceView = {
    ...base,
    licenceNo,
    issuer: { partnerId: licence.issuer.partnerId, partnerName: issuer.name, name: licence.issuer.name },
    holder: { name: licence.holder.name, idType: licence.holder.idType, id: holderId },
    validFrom: licence.validFrom,
    ...(licence.validTo === undefined ? {} : { validTo: licence.validTo }),
    version: licence.version,
    fields,
  };
  if (tier === 'checkpoint') return view;
  return {
    ...view,
    licenceTypeCode: licence.licenceTypeCode,
    // The identifier embeds the licence's serial, which can be the holder's ID number.
    ...(licence.licenceIdentifier === undefined ||
    (personal && licence.licenceIdentifier.includes(licence.holder.id))
      ? {}
      : { licenceIdentifier: licence.licenceIdentifier }),
    issuer: { ...licence.issuer, partnerName: issuer.name },
    issueDate: licence.issueDate,
  };
}
