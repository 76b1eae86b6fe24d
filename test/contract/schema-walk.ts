/** Walking a JSON Schema document, for the tests that check house conventions on every schema. */
export type Schema = Record<string, unknown>;

/** Keywords whose value is a subschema or a list of them. */
const APPLICATORS = ['items', 'if', 'then', 'else', 'not', 'allOf', 'anyOf', 'oneOf'];

/** Every subschema with its JSON Pointer inside the schema document. */
export function subschemas(node: unknown, path = ''): [string, Schema][] {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.flatMap((item, index) => subschemas(item, `${path}/${index}`));
  const schema = node as Schema;
  const found: [string, Schema][] = [[path, schema]];
  for (const [key, child] of Object.entries(schema)) {
    if (key === 'properties' || key === '$defs') {
      for (const [name, sub] of Object.entries(child as Schema))
        found.push(...subschemas(sub, `${path}/${key}/${name}`));
    } else if (APPLICATORS.includes(key)) {
      found.push(...subschemas(child, `${path}/${key}`));
    }
  }
  return found;
}
