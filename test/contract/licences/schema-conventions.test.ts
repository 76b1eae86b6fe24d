import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidPlate } from '#lib/identifiers/plate.ts';
import { LICENCE_TYPE_CODES, LICENCE_TYPES } from '#lib/licences/licence-types.ts';
import envelopeSchema from '#schemas/licence/v1.json' with { type: 'json' };
import vehicleSchema from '#schemas/licence-vehicle-transport-certificate/v1.json' with { type: 'json' };
import { type Schema, subschemas } from '../schema-walk.ts';

/**
 * House conventions (ARCHITECTURE.md §3) as tests: every string and array is bounded, every number
 * has a range, every object is closed. Deliberate exceptions are listed with their reason.
 */

const SCHEMAS: [string, Schema][] = [
  ['licence', envelopeSchema],
  ...LICENCE_TYPE_CODES.map((type): [string, Schema] => [`licence-${type}`, LICENCE_TYPES[type].schema]),
];

/** Objects that are open on purpose. */
const OPEN_OBJECTS: Record<string, string> = {
  'licence#/properties/fields': 'closed by each type schema (bounded by maxProperties here)',
};
for (const type of LICENCE_TYPE_CODES) {
  // The type schema's root and holder narrow the envelope they $ref, which is closed and lists
  // every top-level and holder property: an unknown one is rejected there, with its own pointer.
  OPEN_OBJECTS[`licence-${type}#`] = 'narrows the closed envelope';
  OPEN_OBJECTS[`licence-${type}#/properties/holder`] = 'narrows the closed envelope holder';
}

describe.each(SCHEMAS)('schemas/%s/v1.json', (folder, schema) => {
  const all = subschemas(schema);

  it('has the house $id and draft', () => {
    expect(schema.$id).toBe(`https://delta-hub.example/schemas/${folder}/v1.json`);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('bounds every string, array and number', () => {
    expect(all.filter(([, sub]) => sub.type === 'string').length).toBeGreaterThan(0); // the walker sees them
    const unbounded = all.flatMap(([path, sub]) => {
      if (sub.type === 'string' && sub.maxLength === undefined) return [`${path}: string without maxLength`];
      if (sub.type === 'array' && sub.maxItems === undefined) return [`${path}: array without maxItems`];
      if (
        (sub.type === 'number' || sub.type === 'integer') &&
        (sub.maximum === undefined || (sub.minimum === undefined && sub.exclusiveMinimum === undefined))
      ) {
        return [`${path}: number without a range`];
      }
      return [];
    });
    expect(unbounded).toEqual([]);
  });

  it('closes every object, except the listed overlays', () => {
    const open = all
      .filter(([, sub]) => sub.type === 'object' && sub.additionalProperties !== false)
      .map(([path]) => `${folder}#${path}`)
      .filter((id) => OPEN_OBJECTS[id] === undefined);
    expect(open).toEqual([]);
  });
});

describe('plate pattern', () => {
  const pattern = new RegExp(
    (vehicleSchema.properties.fields.properties.plateNo as { pattern: string }).pattern,
    'u',
  );
  const plateLike = fc
    .tuple(
      fc.constantFrom('沪', '苏', '浙', '皖', '京'),
      fc.array(fc.constantFrom(...'0123456789ABDFHIKOZ挂·'), { minLength: 4, maxLength: 8 }),
    )
    .map(([province, rest]) => province + rest.join(''));

  it('in the schema agrees with isValidPlate', () => {
    fc.assert(
      fc.property(plateLike, (value) => {
        expect(pattern.test(value)).toBe(isValidPlate(value));
      }),
      { numRuns: 3000 },
    );
    for (const value of ['沪AD69287', '沪A12345', '苏K02568D', '苏E1234挂'])
      expect(pattern.test(value)).toBe(true);
  });
});
