/**
 * The licence types the hub carries for cross-province mutual recognition (互认) of electronic
 * licences (电子证照), and the one entry point that validates a licence payload.
 *
 * Schema vs. code: the JSON Schemas (`schemas/licence/v1.json` + one per type) define shape, bounds
 * and formats, and are what partners see. What a schema cannot express is checked here, in
 * {@link validateLicence}: check characters (GB 32100, GB 11643, GB/T 36904), date order, and
 * cross-field consistency. Those that indicate a wrong licence are errors; those that may be an
 * issuing system's quirk (a GB/T 36904 check character, the inner GB 11714 check of a USCC) are
 * warnings for the caller to log or show.
 *
 * @module
 */
import type { FieldError } from '#lib/errors.ts';
import { provinceAbbreviation } from '#lib/identifiers/division-code.ts';
import { parseLicenceIdentifier } from '#lib/identifiers/licence-identifier.ts';
import { PLATE_PROVINCES } from '#lib/identifiers/plate.ts';
import { isValidResidentId } from '#lib/identifiers/resident-id.ts';
import { isValidUscc, usccOrgCodeIsValid } from '#lib/identifiers/uscc.ts';
import { compileSchema, type Validator } from '#lib/validation.ts';
import envelopeSchema from '#schemas/licence/v1.json' with { type: 'json' };
import crewCompetencySchema from '#schemas/licence-crew-competency-certificate/v1.json' with { type: 'json' };
import practitionerSchema from '#schemas/licence-practitioner-qualification/v1.json' with { type: 'json' };
import operatingPermitSchema from '#schemas/licence-road-transport-operating-permit/v1.json' with {
  type: 'json',
};
import vehicleCertificateSchema from '#schemas/licence-vehicle-transport-certificate/v1.json' with {
  type: 'json',
};
import vesselNationalitySchema from '#schemas/licence-vessel-nationality-certificate/v1.json' with {
  type: 'json',
};

// ---------------------------------------------------------------------------------------------
// Payload types. They mirror the schemas by hand; the contract tests validate every typed fixture
// against the schemas, which keeps the two from drifting apart silently.
// ---------------------------------------------------------------------------------------------

/** 持证主体代码类型代码: 001 USCC · 099 other organisation code · 111 居民身份证 · 414 普通护照 · 511 台胞证 · 516 港澳通行证 · 999 other. */
export type HolderIdType = '001' | '099' | '111' | '414' | '511' | '516' | '999';

/** 颁发机构, plus the hub partner that submits on its behalf. */
export interface LicenceIssuer {
  /** Delta Hub partner id, e.g. `sh-jtw`. */
  partnerId: string;
  /** 颁发机构名称. */
  name: string;
  /** 颁发机构代码 (USCC). */
  code: string;
  /** GB/T 2260 division of the issuing authority. */
  divisionCode: string;
}

/** 持证主体. For vehicle and vessel licences, the owner/operator. */
export interface LicenceHolder {
  name: string;
  idType: HolderIdType;
  id: string;
}

/** The common envelope (`schemas/licence/v1.json`); `F` is the type-specific `fields`. */
export interface LicenceEnvelope<T extends string = string, F = Record<string, unknown>> {
  licenceType: T;
  licenceTypeCode: string;
  licenceNo: string;
  licenceIdentifier?: string;
  issuer: LicenceIssuer;
  holder: LicenceHolder;
  /** ISO dates (`YYYY-MM-DD`). */
  issueDate: string;
  validFrom: string;
  /** Absent: 长期 (no expiry). */
  validTo?: string;
  version: number;
  fields: F;
}

/** Enumerated values below are the codes listed in each type schema's description. */
export interface RoadTransportOperatingPermitFields {
  businessScope: string[];
  economicType: string;
  address: string;
  legalRepresentative?: string;
}

export interface VehicleTransportCertificateFields {
  plateNo: string;
  plateColour?: string;
  vehicleType: string;
  tonnageT?: number;
  seats?: number;
  operatingPermitNo: string;
}

export interface PractitionerQualificationFields {
  categories: string[];
  firstIssueDate: string;
  continuingEducation?: { completedOn: string; hours: number }[];
  integrityAssessments?: { period: string; grade: 'AAA' | 'AA' | 'A' | 'B' }[];
}

export interface CrewCompetencyCertificateFields {
  capacity: string;
  navigationArea: 'UNLIMITED' | 'COASTAL' | 'INLAND';
  shipClass: string;
  limitations?: string;
}

export interface VesselNationalityCertificateFields {
  shipName: string;
  shipIdentificationNumber: string;
  mmsi?: string;
  registrationNo?: string;
  portOfRegistry: string;
  grossTonnage: number;
  netTonnage: number;
  shipType: string;
}

export interface LicenceFieldsByType {
  'road-transport-operating-permit': RoadTransportOperatingPermitFields;
  'vehicle-transport-certificate': VehicleTransportCertificateFields;
  'practitioner-qualification': PractitionerQualificationFields;
  'crew-competency-certificate': CrewCompetencyCertificateFields;
  'vessel-nationality-certificate': VesselNationalityCertificateFields;
}

/** Our licence type codes. */
export type LicenceType = keyof LicenceFieldsByType;

/** A licence payload of type `K` (a union over all types by default). */
export type LicencePayload<K extends LicenceType = LicenceType> = K extends LicenceType
  ? LicenceEnvelope<K, LicenceFieldsByType[K]>
  : never;

// ---------------------------------------------------------------------------------------------
// Registry.
// ---------------------------------------------------------------------------------------------

/**
 * What the licence is about. `organisation` and `person` licences are held by that subject;
 * `vehicle` and `vessel` licences are held by the owner/operator (envelope `holder`) and name the
 * vehicle or vessel in `fields`.
 */
export type HolderKind = 'organisation' | 'person' | 'vehicle' | 'vessel';

type JsonSchema = { $id: string } & Record<string, unknown>;

/** Findings of the checks a schema cannot express, added to the envelope checks. */
interface SemanticFindings {
  errors: FieldError[];
  warnings: string[];
}

export interface LicenceTypeDefinition<K extends LicenceType = LicenceType> {
  /** 证照名称 (ZZMC). */
  name: string;
  /** 证照类型代码 (ZZLXDM), or our `PLACEHOLDER-…` where none is published. */
  typeCode: string;
  /** True when typeCode is our placeholder, not a national code. */
  placeholderCode: boolean;
  schema: JsonSchema;
  holderKind: HolderKind;
  /** Type-specific checks beyond the schema; runs only on a schema-valid payload. */
  check?: (licence: LicencePayload<K>, findings: SemanticFindings) => void;
}

/** The 交通运输部 type code prefix (its USCC): 三类九证 codes are this + 3 digits. */
const MOT = '11100000000019713D';

/** Every licence type the hub knows, keyed by our code. Adding a type: a schema + an entry here. */
export const LICENCE_TYPES: { readonly [K in LicenceType]: LicenceTypeDefinition<K> } = {
  'road-transport-operating-permit': {
    name: '道路运输经营许可证',
    typeCode: `${MOT}008`,
    placeholderCode: false,
    schema: operatingPermitSchema,
    holderKind: 'organisation',
    check: (licence, { errors }) => {
      const expected = provinceAbbreviation(licence.issuer.divisionCode);
      if (expected !== undefined && !licence.licenceNo.startsWith(expected)) {
        errors.push({
          pointer: '/licenceNo',
          detail: `must start with the issuer's province abbreviation ${expected} (issuer division ${licence.issuer.divisionCode})`,
        });
      }
    },
  },
  'vehicle-transport-certificate': {
    name: '道路运输证',
    typeCode: `${MOT}013`,
    placeholderCode: false,
    schema: vehicleCertificateSchema,
    holderKind: 'vehicle',
    check: (licence, { warnings }) => {
      // A vehicle usually carries plates of the province that issues its 道路运输证; a mismatch is
      // worth a look but has legitimate causes (a transfer in progress), so it only warns.
      const plateProvince = PLATE_PROVINCES[licence.fields.plateNo[0] as keyof typeof PLATE_PROVINCES];
      if (plateProvince !== undefined && !licence.issuer.divisionCode.startsWith(plateProvince)) {
        warnings.push(
          `/fields/plateNo: plate province ${licence.fields.plateNo[0]} differs from the issuer's division ${licence.issuer.divisionCode}`,
        );
      }
    },
  },
  'practitioner-qualification': {
    name: '道路运输从业人员从业资格证',
    typeCode: `${MOT}071`,
    placeholderCode: false,
    schema: practitionerSchema,
    holderKind: 'person',
    check: (licence, { errors }) => {
      if (licence.fields.firstIssueDate > licence.issueDate) {
        errors.push({ pointer: '/fields/firstIssueDate', detail: 'must not be after issueDate' });
      }
    },
  },
  'crew-competency-certificate': {
    name: '船员适任证书',
    typeCode: 'PLACEHOLDER-CREW-COMPETENCY',
    placeholderCode: true,
    schema: crewCompetencySchema,
    holderKind: 'person',
  },
  'vessel-nationality-certificate': {
    name: '船舶国籍证书',
    typeCode: 'PLACEHOLDER-VESSEL-NATIONALITY',
    placeholderCode: true,
    schema: vesselNationalitySchema,
    holderKind: 'vessel',
    check: (licence, { errors }) => {
      if (licence.fields.netTonnage > licence.fields.grossTonnage) {
        errors.push({ pointer: '/fields/netTonnage', detail: 'must not exceed grossTonnage' });
      }
    },
  },
};

export const LICENCE_TYPE_CODES = Object.keys(LICENCE_TYPES) as LicenceType[];

/** True when `value` is one of our licence type codes (own keys only: `constructor` is not a type). */
export function isLicenceType(value: unknown): value is LicenceType {
  return typeof value === 'string' && Object.hasOwn(LICENCE_TYPES, value);
}

// Compiled once per cold start. The envelope first: the type schemas `$ref` it by `$id`, and the
// shared Ajv instance resolves that reference from the schemas it has already compiled.
const envelopeValidator = compileSchema<LicenceEnvelope>(envelopeSchema);
const validators = new Map<LicenceType, Validator<LicencePayload>>(
  LICENCE_TYPE_CODES.map((type) => [type, compileSchema<LicencePayload>(LICENCE_TYPES[type].schema)]),
);

/** The compiled schema validator of one licence type (shape and formats only; see {@link validateLicence}). */
export function licenceValidator<K extends LicenceType>(type: K): Validator<LicencePayload<K>> {
  return validators.get(type) as Validator<LicencePayload<K>>;
}

export interface LicenceValidationResult {
  /** Reasons to reject the payload; empty when it is a valid licence. */
  errors: FieldError[];
  /** Findings that do not invalidate the licence (log them, show them to an operator). */
  warnings: string[];
}

/**
 * Validates a licence payload: picks the schema by `licenceType`, then runs the checks the schema
 * cannot express. Semantic checks run only once the schema passes (so they can rely on the shape).
 *
 * Errors: schema violations; a USCC (issuer, organisation holder) or resident ID (holder) whose
 * check character is wrong; validTo before validFrom; an unknown licenceType; a GB/T 36904
 * identifier naming another issuing authority than `issuer.code`; type-specific rules.
 * Warnings: a GB/T 36904 identifier whose check character is wrong or whose type code or version
 * disagree with the envelope; a USCC whose inner GB 11714 check fails; type-specific hints.
 *
 * Whether the issuing authority lies within the publishing partner's jurisdiction needs the trust
 * registry, so it is checked by the document checker, not here (jurisdiction.ts).
 *
 * @example
 * const { errors, warnings } = validateLicence(body);
 * if (errors.length > 0) throw new ValidationError('licence payload is invalid', errors);
 */
export function validateLicence(payload: unknown): LicenceValidationResult {
  const type = (payload as { licenceType?: unknown } | null)?.licenceType;
  if (!isLicenceType(type)) {
    const errors = envelopeValidator.check(payload);
    if (errors.length > 0) return { errors, warnings: [] };
    return { errors: [{ pointer: '/licenceType', detail: 'is not a known licence type' }], warnings: [] };
  }
  const errors = licenceValidator(type).check(payload);
  if (errors.length > 0) return { errors, warnings: [] };

  // Schema-valid, so the payload has the shape of its type (one validation pass, not two).
  const licence = payload as LicencePayload;
  const findings: SemanticFindings = { errors: [], warnings: [] };
  checkEnvelope(licence, findings);
  (LICENCE_TYPES[type].check as ((licence: LicencePayload, f: SemanticFindings) => void) | undefined)?.(
    licence,
    findings,
  );
  return findings;
}

function checkEnvelope(licence: LicencePayload, { errors, warnings }: SemanticFindings): void {
  checkUscc(licence.issuer.code, '/issuer/code', errors, warnings);
  if (licence.holder.idType === '001') checkUscc(licence.holder.id, '/holder/id', errors, warnings);
  if (licence.holder.idType === '111' && !isValidResidentId(licence.holder.id)) {
    errors.push({
      pointer: '/holder/id',
      detail: 'is not a valid resident ID number (GB 11643-1999: birth date or check character)',
    });
  }
  if (licence.validTo !== undefined && licence.validTo < licence.validFrom) {
    errors.push({ pointer: '/validTo', detail: 'must not be before validFrom' });
  }
  if (licence.licenceIdentifier !== undefined)
    checkIdentifier(licence, licence.licenceIdentifier, { errors, warnings });
}

function checkUscc(code: string, pointer: string, errors: FieldError[], warnings: string[]): void {
  if (!isValidUscc(code)) {
    errors.push({ pointer, detail: 'has a wrong check character (GB 32100-2015)' });
  } else if (!usccOrgCodeIsValid(code)) {
    warnings.push(`${pointer}: positions 9-17 fail the GB 11714 organisation-code check`);
  }
}

function checkIdentifier(
  licence: LicencePayload,
  identifier: string,
  { errors, warnings }: SemanticFindings,
): void {
  // The schema pattern guarantees the shape, so parsing cannot fail here.
  const parsed = parseLicenceIdentifier(identifier);
  if (!parsed) return;
  const { parts, checkValid } = parsed;
  if (!checkValid) {
    warnings.push(
      '/licenceIdentifier: check character does not verify (GB/T 36904-2018, ISO 7064 MOD 37,36)',
    );
  }
  if (parts.typeCode !== licence.licenceTypeCode) {
    warnings.push(`/licenceIdentifier: type code ${parts.typeCode} differs from licenceTypeCode`);
  }
  // An error, not a warning: the identifier is the licence's national identity, and one naming
  // another authority than the issuer fields would let a licence carry a second issuer past the
  // jurisdiction check (which reads issuer.code). Not reported for an issuer.code that is itself
  // wrong: that error already stands, and the disagreement would only be its echo.
  if (parts.issuerCode !== licence.issuer.code && isValidUscc(licence.issuer.code)) {
    errors.push({
      pointer: '/licenceIdentifier',
      detail: `names issuing authority ${parts.issuerCode}, not issuer.code ${licence.issuer.code} (GB/T 36904: 颁发机构代码)`,
    });
  }
  if (Number(parts.version) !== licence.version) {
    warnings.push(`/licenceIdentifier: version ${parts.version} differs from version ${licence.version}`);
  }
}
