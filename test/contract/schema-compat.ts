/**
 * Backward-compatibility harness for schema evolution (ARCHITECTURE.md §3): a new version of a
 * message schema must accept everything the previous version accepted, so a partner still sending
 * vN keeps working when the hub moves to vN+1.
 *
 * A schema diff cannot be checked in general, so the harness checks samples: every fixture, plus
 * every variant of it with one property removed (anywhere in the tree). Variants the old schema
 * rejects are skipped; the others must pass the new schema. The removals catch the most common
 * break (a field that was optional becoming required) even when every fixture fills that field.
 *
 * Plugging in a v2: `assertBackwardCompatible(v1Schema, v2Schema, fixtures)`. Schemas are compiled
 * on the hub's shared Ajv instance, so anything they `$ref` (e.g. `licence/v1.json`) must already
 * be compiled, or be passed in `references`.
 *
 * @module
 */
import type { FieldError } from '#lib/errors.ts';
import { compileSchema } from '#lib/validation.ts';

export type JsonSchema = { $id: string } & Record<string, unknown>;

export interface CompatSample {
  /** For the report, e.g. the fixture file name. */
  name: string;
  value: unknown;
}

export interface CompatibilityReport {
  /** How many samples (fixtures and variants) the old schema accepted, i.e. were checked. */
  checked: number;
  /** Samples the old schema accepted and the new one rejects. */
  broken: { sample: string; errors: FieldError[] }[];
}

export interface CompatOptions {
  /** Schemas to compile first because the old or new schema references them. */
  references?: readonly JsonSchema[];
}

/** Compares two schema versions on the samples and reports every sample the new one breaks. */
export function checkBackwardCompatible(
  oldSchema: JsonSchema,
  newSchema: JsonSchema,
  samples: readonly CompatSample[],
  options: CompatOptions = {},
): CompatibilityReport {
  for (const reference of options.references ?? []) compileSchema(reference);
  const before = compileSchema(oldSchema);
  const after = compileSchema(newSchema);
  const report: CompatibilityReport = { checked: 0, broken: [] };
  for (const sample of samples.flatMap(withRemovals)) {
    if (!before.is(sample.value)) continue;
    report.checked++;
    const errors = after.check(sample.value);
    if (errors.length > 0) report.broken.push({ sample: sample.name, errors });
  }
  return report;
}

/**
 * Throws when the new schema rejects a sample the old one accepts, or when no sample was accepted
 * by the old schema at all (a harness fed with invalid fixtures proves nothing).
 */
export function assertBackwardCompatible(
  oldSchema: JsonSchema,
  newSchema: JsonSchema,
  samples: readonly CompatSample[],
  options: CompatOptions = {},
): CompatibilityReport {
  const report = checkBackwardCompatible(oldSchema, newSchema, samples, options);
  if (report.checked === 0) {
    throw new Error(`no sample is valid under ${oldSchema.$id}: nothing was checked`);
  }
  if (report.broken.length > 0) {
    const lines = report.broken.map(
      ({ sample, errors }) => `  ${sample}: ${errors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
    );
    throw new Error(
      `${newSchema.$id} rejects ${report.broken.length} sample(s) that ${oldSchema.$id} accepts:\n${lines.join('\n')}`,
    );
  }
  return report;
}

/** The sample itself and one variant per object property in it, with that property removed. */
function withRemovals(sample: CompatSample): CompatSample[] {
  const variants: CompatSample[] = [sample];
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, [...path, index]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        variants.push({
          name: `${sample.name} without /${[...path, key].join('/')}`,
          value: without(sample.value, [...path, key]),
        });
        visit(child, [...path, key]);
      }
    }
  };
  visit(sample.value, []);
  return variants;
}

function without(value: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(value);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  delete node[path.at(-1) as string | number];
  return copy;
}
