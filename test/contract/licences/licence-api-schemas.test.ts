import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Schema, subschemas } from '../schema-walk.ts';

/**
 * The licence and status-list API contracts follow the house conventions (ARCHITECTURE.md §3):
 * house `$id` and draft, every string, array and number bounded, every object closed, except
 * the listed ones.
 */
const FOLDERS = [
  'licence-path',
  'licence-publish-request',
  'licence-publish-response',
  'licence-receipt',
  'licence-recognitions-query',
  'licence-recognitions-response',
  'licence-status-change-request',
  'licence-status-change-response',
  'licence-status-query',
  'licence-status-response',
  'licence-verify-request',
  'licence-verify-response',
  'licence-view',
  'status-list',
  'status-list-path',
  'status-list-response',
];

/** Objects that are open on purpose. */
const OPEN_OBJECTS: Record<string, string> = {
  'licence-view#/properties/fields':
    "the licence type's own fields, already validated by its schema; maxProperties bounds it",
};

describe.each(FOLDERS)('schemas/%s/v1.json', (folder) => {
  const schema = JSON.parse(
    readFileSync(new URL(`../../../schemas/${folder}/v1.json`, import.meta.url), 'utf8'),
  ) as Schema;
  const all = subschemas(schema);

  it('has the house $id and draft', () => {
    expect(schema.$id).toBe(`https://delta-hub.example/schemas/${folder}/v1.json`);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('bounds every string, array and number', () => {
    const unbounded = all.flatMap(([path, sub]) => {
      if (sub.type === 'string' && sub.maxLength === undefined) return [`${path}: string without maxLength`];
      if (sub.type === 'array' && sub.maxItems === undefined) return [`${path}: array without maxItems`];
      if (
        (sub.type === 'number' || sub.type === 'integer') &&
        (sub.maximum === undefined || sub.minimum === undefined)
      ) {
        return [`${path}: number without a range`];
      }
      if (sub.type === 'object' && sub.additionalProperties !== false && sub.maxProperties === undefined) {
        return [`${path}: open object without maxProperties`];
      }
      return [];
    });
    expect(unbounded).toEqual([]);
  });

  it('closes every object, except the listed ones', () => {
    const open = all
      .filter(([, sub]) => sub.type === 'object' && sub.additionalProperties !== false)
      .map(([path]) => `${folder}#${path}`)
      .filter((id) => OPEN_OBJECTS[id] === undefined);
    expect(open).toEqual([]);
  });
});
