/**
 * Walks a JSON payload and edits copies of it by JSON Pointer, so the contract tests can derive
 * negative cases from every fixture without writing them out one by one.
 *
 * @module
 */

export type Path = readonly (string | number)[];

/** RFC 6901 pointer of a path (our keys need no escaping, but escape anyway). */
export const pointer = (path: Path): string =>
  path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

interface Node {
  path: Path;
  value: unknown;
}

/** Every node of the tree, root first. */
export function nodes(value: unknown, path: Path = []): Node[] {
  const children = Array.isArray(value)
    ? value.flatMap((item, index) => nodes(item, [...path, index]))
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flatMap(([key, child]) => nodes(child, [...path, key]))
      : [];
  return [{ path, value }, ...children];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Paths of every object property (not array elements). */
export const propertyPaths = (value: unknown): Path[] =>
  nodes(value)
    .filter(({ path }) => typeof path.at(-1) === 'string')
    .map(({ path }) => path);

/** Paths of every object, the root included. */
export const objectPaths = (value: unknown): Path[] =>
  nodes(value)
    .filter(({ value: node }) => isPlainObject(node))
    .map(({ path }) => path);

/** Paths of every string leaf. */
export const stringPaths = (value: unknown): Path[] =>
  nodes(value)
    .filter(({ value: node }) => typeof node === 'string')
    .map(({ path }) => path);

function parentOf(root: unknown, path: Path): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

/** A deep copy of `value` without the property at `path`. */
export function without<T>(value: T, path: Path): T {
  const copy = structuredClone(value);
  delete parentOf(copy, path)[path.at(-1) as string | number];
  return copy;
}

/** A deep copy of `value` with `newValue` at `path` (an empty path replaces the root). */
export function withValue<T>(value: T, path: Path, newValue: unknown): T {
  if (path.length === 0) return newValue as T;
  const copy = structuredClone(value);
  parentOf(copy, path)[path.at(-1) as string | number] = newValue;
  return copy;
}

/** The value at `path`. */
export const valueAt = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
