import { describe, expect, it } from 'vitest';
import { LICENCE_TYPE_CODES, LICENCE_TYPES } from '#lib/licences/licence-types.ts';
import envelopeSchema from '#schemas/licence/v1.json' with { type: 'json' };
import { licenceFixtures } from '../../fixtures/licences/index.ts';
import { assertBackwardCompatible, checkBackwardCompatible, type JsonSchema } from '../schema-compat.ts';

const samples = (type: (typeof LICENCE_TYPE_CODES)[number]) =>
  licenceFixtures[type].map(({ name, payload }) => ({ name, value: payload }));

describe('licence schema evolution', () => {
  // Baseline: v1 → v1. When a v2 of a type lands, add `[type, v1, v2]` here.
  it.each(LICENCE_TYPE_CODES)('%s v1 accepts everything v1 accepts', (type) => {
    const { schema } = LICENCE_TYPES[type];
    const report = assertBackwardCompatible(schema, schema, samples(type), { references: [envelopeSchema] });
    expect(report.checked).toBeGreaterThan(licenceFixtures[type].length);
  });
});

describe('schema-compat harness', () => {
  const v1 = LICENCE_TYPES['road-transport-operating-permit'].schema;
  const v2 = (
    mutate: (fields: { required: string[]; properties: Record<string, unknown> }) => void,
    tag: string,
  ) => {
    const schema = structuredClone(v1) as JsonSchema & { properties: { fields: never } };
    schema.$id = `https://delta-hub.example/schemas/licence-road-transport-operating-permit/v2-${tag}-test.json`;
    mutate(schema.properties.fields);
    return schema;
  };

  it('catches an optional field that became required, even though some fixtures fill it', () => {
    const breaking = v2((fields) => fields.required.push('legalRepresentative'), 'breaking');
    const report = checkBackwardCompatible(v1, breaking, samples('road-transport-operating-permit'));
    expect(report.broken.map(({ sample }) => sample)).toContain('road-transport-operating-permit.js');
    expect(report.broken.map(({ sample }) => sample)).toContain(
      'road-transport-operating-permit.sh without /fields/legalRepresentative',
    );
    expect(() => assertBackwardCompatible(v1, breaking, samples('road-transport-operating-permit'))).toThrow(
      /rejects \d+ sample/,
    );
  });

  it('passes an additive change (a new optional field)', () => {
    const additive = v2((fields) => {
      fields.properties.website = { type: 'string', format: 'uri', maxLength: 200 };
    }, 'additive');
    expect(() =>
      assertBackwardCompatible(v1, additive, samples('road-transport-operating-permit')),
    ).not.toThrow();
  });

  it('refuses to vouch for anything when no sample is valid under the old schema', () => {
    expect(() => assertBackwardCompatible(v1, v1, [{ name: 'empty', value: {} }])).toThrow(
      /nothing was checked/,
    );
  });
});
