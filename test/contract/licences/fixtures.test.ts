import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  isLicenceType,
  LICENCE_TYPE_CODES,
  LICENCE_TYPES,
  licenceValidator,
  validateLicence,
} from '#lib/licences/licence-types.ts';
import { allLicenceFixtures, licenceFixtures } from '../../fixtures/licences/index.ts';

const FIXTURE_DIR = new URL('../../fixtures/licences/', import.meta.url);

describe('licence fixtures', () => {
  it.each(allLicenceFixtures.map((fixture) => [fixture.name, fixture] as const))(
    '%s is a valid licence with no warnings',
    (_name, { type, payload }) => {
      expect(payload.licenceType).toBe(type);
      expect(licenceValidator(type).check(payload)).toEqual([]);
      expect(validateLicence(payload)).toEqual({ errors: [], warnings: [] });
    },
  );

  it('has at least two fixtures per licence type', () => {
    for (const type of LICENCE_TYPE_CODES) expect(licenceFixtures[type].length).toBeGreaterThanOrEqual(2);
  });

  it('spreads the issuers over the four provinces', () => {
    const partners = new Set(allLicenceFixtures.map(({ payload }) => payload.issuer.partnerId));
    expect([...partners].sort()).toEqual(['ah-jtt', 'js-jtt', 'sh-jtw', 'zj-jtt']);
  });

  it('indexes every fixture file in the folder, and names each after its type', () => {
    const files = readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.json'));
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(
      allLicenceFixtures.map(({ name }) => name).sort(),
    );
    for (const { name, type } of allLicenceFixtures) expect(name.startsWith(`${type}.`)).toBe(true);
  });
});

describe('licence type registry', () => {
  it.each(LICENCE_TYPE_CODES)('%s: the registry and its schema agree', (type) => {
    const { schema, typeCode, placeholderCode } = LICENCE_TYPES[type];
    const properties = schema.properties as Record<string, { const?: unknown }>;
    expect(schema.$id).toBe(`https://delta-hub.example/schemas/licence-${type}/v1.json`);
    expect(properties.licenceType?.const).toBe(type);
    expect(properties.licenceTypeCode?.const).toBe(typeCode);
    expect(placeholderCode).toBe(typeCode.startsWith('PLACEHOLDER-'));
    if (placeholderCode) expect(String(schema.description)).toContain('PLACEHOLDER TYPE CODE');
  });

  it('uses the 交通运输部 codes for the road licences', () => {
    expect(LICENCE_TYPES['road-transport-operating-permit'].typeCode).toBe('11100000000019713D008');
    expect(LICENCE_TYPES['vehicle-transport-certificate'].typeCode).toBe('11100000000019713D013');
    expect(LICENCE_TYPES['practitioner-qualification'].typeCode).toBe('11100000000019713D071');
  });

  it('knows only its own keys as licence types', () => {
    expect(isLicenceType('practitioner-qualification')).toBe(true);
    expect(isLicenceType('constructor')).toBe(false);
    expect(isLicenceType('__proto__')).toBe(false);
    expect(isLicenceType(42)).toBe(false);
  });
});
