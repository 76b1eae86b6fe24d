import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LicencePayload, type LicenceType, validateLicence } from '#lib/licences/licence-types.ts';
import { allLicenceFixtures, licenceFixtures } from '../../fixtures/licences/index.ts';
import {
  nodes,
  objectPaths,
  pointer,
  propertyPaths,
  stringPaths,
  valueAt,
  without,
  withValue,
} from './payload-paths.ts';

/**
 * The contract of each licence type, stated as what must be rejected and where the error points.
 * Every case is derived from every fixture of the type, so a new fixture is covered automatically.
 */

const ENVELOPE_REQUIRED = [
  '/licenceType',
  '/licenceTypeCode',
  '/licenceNo',
  '/issuer',
  '/issuer/partnerId',
  '/issuer/name',
  '/issuer/code',
  '/issuer/divisionCode',
  '/holder',
  '/holder/name',
  '/holder/idType',
  '/holder/id',
  '/issueDate',
  '/validFrom',
  '/version',
  '/fields',
];

/** Required beyond the envelope, per type. Array items: `*` stands for any index. */
const TYPE_REQUIRED: Record<LicenceType, string[]> = {
  'road-transport-operating-permit': [
    '/validTo',
    '/fields/businessScope',
    '/fields/economicType',
    '/fields/address',
  ],
  'vehicle-transport-certificate': ['/fields/plateNo', '/fields/vehicleType', '/fields/operatingPermitNo'],
  'practitioner-qualification': [
    '/validTo',
    '/fields/categories',
    '/fields/firstIssueDate',
    '/fields/continuingEducation/*/completedOn',
    '/fields/continuingEducation/*/hours',
    '/fields/integrityAssessments/*/period',
    '/fields/integrityAssessments/*/grade',
  ],
  'crew-competency-certificate': [
    '/validTo',
    '/fields/capacity',
    '/fields/navigationArea',
    '/fields/shipClass',
  ],
  'vessel-nationality-certificate': [
    '/validTo',
    '/fields/shipName',
    '/fields/shipIdentificationNumber',
    '/fields/portOfRegistry',
    '/fields/grossTonnage',
    '/fields/netTonnage',
    '/fields/shipType',
  ],
};

/** Required only when it is the sole one of its group (a vehicle has a tonnage, seats, or both). */
const ONE_OF_GROUP: Partial<Record<LicenceType, string[]>> = {
  'vehicle-transport-certificate': ['/fields/tonnageT', '/fields/seats'],
};

const genericPointer = (path: readonly (string | number)[]) =>
  pointer(path.map((segment) => (typeof segment === 'number' ? '*' : segment)));

function isRequired(type: LicenceType, payload: LicencePayload, path: readonly (string | number)[]): boolean {
  const generic = genericPointer(path);
  if (ENVELOPE_REQUIRED.includes(generic) || TYPE_REQUIRED[type].includes(generic)) return true;
  const group = ONE_OF_GROUP[type];
  if (group?.includes(generic)) {
    return group.filter((member) => valueAt(payload, member.split('/').slice(1)) !== undefined).length === 1;
  }
  return false;
}

const cases = allLicenceFixtures.map((fixture) => [fixture.name, fixture] as const);

describe.each(cases)('%s', (_name, { type, payload }) => {
  it('rejects the removal of each required property with a pointer to it, and accepts the removal of any other', () => {
    for (const path of propertyPaths(payload)) {
      const { errors } = validateLicence(without(payload, path));
      if (isRequired(type, payload, path)) {
        expect(errors, pointer(path)).toContainEqual({ pointer: pointer(path), detail: 'is required' });
      } else {
        expect(errors, pointer(path)).toEqual([]);
      }
    }
  });

  it('rejects an unknown property in every object, top level and inside fields included', () => {
    const paths = objectPaths(payload);
    expect(paths.map(pointer)).toEqual(expect.arrayContaining(['', '/issuer', '/holder', '/fields']));
    for (const path of paths) {
      const { errors } = validateLicence(withValue(payload, [...path, 'unexpected'], 'x'));
      expect(errors).toEqual([
        { pointer: pointer([...path, 'unexpected']), detail: 'is not allowed by the schema' },
      ]);
    }
  });

  it('rejects an overlong value in every string, pointing at it', () => {
    for (const path of stringPaths(payload)) {
      const original = valueAt(payload, path) as string;
      const overlong = original.repeat(Math.ceil(260 / original.length));
      const { errors } = validateLicence(withValue(payload, path, overlong));
      expect(errors.length, pointer(path)).toBeGreaterThan(0);
      for (const error of errors) expect(error.pointer).toBe(pointer(path));
    }
  });

  it('rejects a wrong issuer USCC check character as an error', () => {
    const { errors } = validateLicence(
      withValue(payload, ['issuer', 'code'], mutateLast(payload.issuer.code)),
    );
    expect(errors).toEqual([{ pointer: '/issuer/code', detail: expect.stringMatching(/check character/) }]);
  });

  it('rejects a wrong holder ID check character as an error', () => {
    const { errors } = validateLicence(withValue(payload, ['holder', 'id'], mutateLast(payload.holder.id)));
    expect(errors).toEqual([{ pointer: '/holder/id', detail: expect.any(String) }]);
  });

  it('rejects validTo before validFrom', () => {
    const { errors } = validateLicence(withValue(payload, ['validTo'], '2000-01-01'));
    expect(errors).toEqual([{ pointer: '/validTo', detail: 'must not be before validFrom' }]);
  });

  it('rejects a type code that is not its type', () => {
    const other =
      type === 'vehicle-transport-certificate' ? '11100000000019713D008' : '11100000000019713D013';
    expect(validateLicence(withValue(payload, ['licenceTypeCode'], other)).errors[0]?.pointer).toBe(
      '/licenceTypeCode',
    );
  });

  it('rejects impossible calendar dates', () => {
    expect(validateLicence(withValue(payload, ['issueDate'], '2025-02-29')).errors[0]?.pointer).toBe(
      '/issueDate',
    );
  });

  it('never throws on random edits (trust boundary fuzz)', () => {
    const paths = nodes(payload).map(({ path }) => path);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const result = validateLicence(withValue(payload, path, value));
        expect(Array.isArray(result.errors) && Array.isArray(result.warnings)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** Replaces the last character by another one valid in both USCC and resident-ID alphabets. */
function mutateLast(value: string): string {
  const last = value.at(-1);
  return value.slice(0, -1) + (last === '1' ? '2' : '1');
}

const first = <K extends LicenceType>(type: K): LicencePayload<K> =>
  structuredClone(licenceFixtures[type][0]?.payload) as LicencePayload<K>;

describe('GB/T 36904 licence identifier', () => {
  const permit = first('road-transport-operating-permit');
  const identifier = permit.licenceIdentifier as string;

  it('reports a wrong check character only as a warning', () => {
    const wrong = identifier.slice(0, -1) + (identifier.endsWith('T') ? 'U' : 'T');
    const { errors, warnings } = validateLicence({ ...permit, licenceIdentifier: wrong });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(/^\/licenceIdentifier: check character does not verify/),
    ]);
  });

  it('warns when its parts disagree with the envelope', () => {
    const { errors, warnings } = validateLicence({ ...permit, version: 2 });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^\/licenceIdentifier: version 001 differs/)]);
  });

  it('rejects one whose issuer part names another authority than issuer.code', () => {
    // Jiangsu's department as issuer, the identifier still Shanghai's (check character consistent).
    const jiangsu = { ...permit.issuer, code: '113200000140032105', divisionCode: '320000' };
    const { errors } = validateLicence({
      ...permit,
      licenceNo: permit.licenceNo.replace(/^沪/, '苏'),
      issuer: jiangsu,
    });
    expect(errors).toEqual([
      {
        pointer: '/licenceIdentifier',
        detail: expect.stringMatching(/11310000002435681K.*113200000140032105/),
      },
    ]);
  });

  it('rejects a value that is not shaped like an identifier', () => {
    const { errors } = validateLicence({
      ...permit,
      licenceIdentifier: identifier.replace('1.2.156', '1.2.840'),
    });
    expect(errors[0]?.pointer).toBe('/licenceIdentifier');
  });
});

describe('envelope checks', () => {
  it('warns, without rejecting, when a USCC passes its own check but not the inner GB 11714 one', () => {
    // 91310115 + MA1K4A7B + inner check 1 (should be 0) + the outer check computed for that body.
    const permit = first('road-transport-operating-permit');
    permit.holder.id = '91310115MA1K4A7B1G';
    const { errors, warnings } = validateLicence(permit);
    expect(errors).toEqual([]);
    expect(warnings).toEqual(['/holder/id: positions 9-17 fail the GB 11714 organisation-code check']);
  });

  it('rejects a resident ID with an impossible birth date even when its check character fits', () => {
    const practitioner = first('practitioner-qualification');
    practitioner.holder.id = '340104198802300319'; // 1988-02-30; check character computed for the body
    expect(validateLicence(practitioner).errors).toEqual([
      { pointer: '/holder/id', detail: expect.any(String) },
    ]);
  });

  it('rejects a holder whose id does not have the shape its idType says', () => {
    const practitioner = first('practitioner-qualification');
    practitioner.holder.id = 'E12345678';
    expect(validateLicence(practitioner).errors[0]?.pointer).toBe('/holder/id');
  });

  it('rejects an unknown licence type, and a payload that is not an object', () => {
    const permit = first('road-transport-operating-permit');
    expect(validateLicence({ ...permit, licenceType: 'fishing-licence' }).errors).toEqual([
      { pointer: '/licenceType', detail: 'is not a known licence type' },
    ]);
    expect(validateLicence({ ...permit, licenceType: 'constructor' }).errors[0]?.pointer).toBe(
      '/licenceType',
    );
    expect(validateLicence(null).errors[0]?.pointer).toBe('');
    expect(validateLicence([permit]).errors[0]?.pointer).toBe('');
  });

  it('accepts a licence without validTo (长期) where the type allows it, and only there', () => {
    const vehicle = first('vehicle-transport-certificate');
    delete vehicle.validTo;
    expect(validateLicence(vehicle).errors).toEqual([]);
    const permit = first('road-transport-operating-permit');
    delete permit.validTo;
    expect(validateLicence(permit).errors).toEqual([{ pointer: '/validTo', detail: 'is required' }]);
  });

  it('rejects a version below 1', () => {
    expect(validateLicence({ ...first('crew-competency-certificate'), version: 0 }).errors[0]?.pointer).toBe(
      '/version',
    );
  });
});

describe('type-specific rules', () => {
  it('road-transport-operating-permit: holder is an organisation; number starts with the issuer province', () => {
    const permit = first('road-transport-operating-permit');
    const person = { name: '王建国', idType: '111', id: '310115199003071239' };
    expect(validateLicence({ ...permit, holder: person }).errors[0]?.pointer).toBe('/holder/idType');
    const foreign = { ...permit, licenceNo: permit.licenceNo.replace(/^./, '京') };
    expect(validateLicence(foreign).errors).toEqual([
      { pointer: '/licenceNo', detail: expect.stringMatching(/沪/) },
    ]);
    const noHao = { ...permit, licenceNo: permit.licenceNo.replace(/号$/, '') };
    expect(validateLicence(noHao).errors).toEqual([]);
    const unknownScope = withValue(permit, ['fields', 'businessScope'], ['FREIGHT_GENERAL', 'FISHING']);
    expect(validateLicence(unknownScope).errors[0]?.pointer).toBe('/fields/businessScope/1');
    const repeated = withValue(permit, ['fields', 'businessScope'], ['FREIGHT_GENERAL', 'FREIGHT_GENERAL']);
    expect(validateLicence(repeated).errors[0]?.pointer).toBe('/fields/businessScope');
  });

  it('vehicle-transport-certificate: number ≤12 Latin characters; a tonnage or seats; plate province only warns', () => {
    const vehicle = first('vehicle-transport-certificate');
    expect(validateLicence({ ...vehicle, licenceNo: '沪310115000' }).errors[0]?.pointer).toBe('/licenceNo');
    expect(validateLicence({ ...vehicle, licenceNo: '3101150001234' }).errors[0]?.pointer).toBe('/licenceNo');
    const { tonnageT: _tonnage, ...noLoad } = vehicle.fields;
    expect(validateLicence({ ...vehicle, fields: noLoad }).errors.map((e) => e.pointer)).toContain(
      '/fields/tonnageT',
    );
    expect(validateLicence(withValue(vehicle, ['fields', 'plateNo'], '沪A·12345')).errors[0]?.pointer).toBe(
      '/fields/plateNo',
    );
    const { errors, warnings } = validateLicence(withValue(vehicle, ['fields', 'plateNo'], '皖A12345'));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^\/fields\/plateNo: plate province 皖/)]);
  });

  it('practitioner-qualification: holder is a person; first issue not after issue date', () => {
    const practitioner = first('practitioner-qualification');
    const company = { name: '上海浦江通达物流有限公司', idType: '001', id: '91310115MA1K4A7B0D' };
    expect(validateLicence({ ...practitioner, holder: company }).errors[0]?.pointer).toBe('/holder/idType');
    const late = withValue(practitioner, ['fields', 'firstIssueDate'], '2030-01-01');
    expect(validateLicence(late).errors).toEqual([
      { pointer: '/fields/firstIssueDate', detail: expect.any(String) },
    ]);
    expect(validateLicence({ ...practitioner, licenceNo: '123456789012345678901' }).errors[0]?.pointer).toBe(
      '/licenceNo',
    );
  });

  it('crew-competency-certificate: inland areas take inland classes and sea areas sea classes', () => {
    const crew = first('crew-competency-certificate');
    expect(validateLicence(withValue(crew, ['fields', 'shipClass'], 'SEA_CLASS_A')).errors[0]?.pointer).toBe(
      '/fields/shipClass',
    );
    const coastal = withValue(
      withValue(crew, ['fields', 'navigationArea'], 'COASTAL'),
      ['fields', 'shipClass'],
      'SEA_CLASS_B',
    );
    expect(validateLicence(coastal).errors).toEqual([]);
    expect(validateLicence(withValue(crew, ['fields', 'navigationArea'], 'COASTAL')).errors[0]?.pointer).toBe(
      '/fields/shipClass',
    );
  });

  it('vessel-nationality-certificate: net tonnage not above gross; Chinese MMSI; CN ship number', () => {
    const vessel = first('vessel-nationality-certificate');
    expect(validateLicence(withValue(vessel, ['fields', 'netTonnage'], 5000)).errors).toEqual([
      { pointer: '/fields/netTonnage', detail: 'must not exceed grossTonnage' },
    ]);
    expect(validateLicence(withValue(vessel, ['fields', 'mmsi'], '477123456')).errors[0]?.pointer).toBe(
      '/fields/mmsi',
    );
    expect(
      validateLicence(withValue(vessel, ['fields', 'shipIdentificationNumber'], 'CN2018123456')).errors[0]
        ?.pointer,
    ).toBe('/fields/shipIdentificationNumber');
    expect(validateLicence(withValue(vessel, ['fields', 'grossTonnage'], 0)).errors[0]?.pointer).toBe(
      '/fields/grossTonnage',
    );
  });
});
