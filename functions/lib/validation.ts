import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FieldError } from '#lib/errors.ts';

/**
 * One Ajv instance per process, strict, draft 2020-12. Validators are compiled once at module
 * scope (cold start). `allErrors` stays off: on partner input it turns a crafted body into a CPU
 * sink; the first failure per branch is enough to tell the caller what to fix.
 */
const ajv = new Ajv2020({ strict: true, allErrors: false, discriminator: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

export interface Validator<T> {
  readonly schemaId: string;
  /** Returns field errors, or an empty list when `value` conforms (then it is a `T`). */
  check(value: unknown): FieldError[];
  is(value: unknown): value is T;
}

/** Compiles a schema (which must carry an `$id`) into a reusable validator. */
export function compileSchema<T>(schema: { $id?: string } & Record<string, unknown>): Validator<T> {
  if (typeof schema.$id !== 'string') throw new TypeError('schemas must declare an $id');
  const validate: ValidateFunction = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
  return {
    schemaId: schema.$id,
    check: (value) => (validate(value) ? [] : (validate.errors ?? []).map(toFieldError)),
    is: (value): value is T => validate(value) === true,
  };
}

/** RFC 6901 escaping of one member name, clipped: names come from the caller's body. */
const pointerToken = (name: string): string => name.slice(0, 200).replace(/~/g, '~0').replace(/\//g, '~1');
const bounded = (pointer: string): string =>
  pointer.length <= 1_024 ? pointer : `${pointer.slice(0, 1_023)}…`;

/** Ajv's error objects → pointer + plain-language detail a partner can act on. */
function toFieldError(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        pointer: bounded(`${error.instancePath}/${pointerToken(String(params.missingProperty))}`),
        detail: 'is required',
      };
    case 'additionalProperties':
      return {
        pointer: bounded(`${error.instancePath}/${pointerToken(String(params.additionalProperty))}`),
        detail: 'is not allowed by the schema',
      };
    default:
      return {
        pointer: bounded(error.instancePath),
        detail: (error.message ?? `fails ${error.keyword}`).slice(0, 500),
      };
  }
}
