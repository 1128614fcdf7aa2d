/**
 * Test support: reading an OpenAPI document as a client would — which path template matches a request path,
 * and whether an answer's JSON fits the response schema (every field described, every required one present).
 * @module
 */
import assert from 'node:assert/strict';

export interface SchemaJson {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaJson>;
  items?: SchemaJson;
  additionalProperties?: SchemaJson;
  required?: string[];
  'x-kubernetes-group-version-kind'?: { kind: string }[];
}
export interface OperationJson {
  responses: Record<string, { schema?: SchemaJson; content?: Record<string, { schema: SchemaJson }> }>;
  parameters: { name: string; in: string }[];
  'x-kubernetes-action'?: string;
}
export interface DocumentJson {
  paths: Record<string, { get: OperationJson }>;
  definitions?: Record<string, SchemaJson>;
  components?: { schemas: Record<string, SchemaJson> };
}

/** The path template of `doc` that matches `path` (a template variable is one segment; a literal segment wins). */
export function templateFor(doc: DocumentJson, path: string): string | undefined {
  const matches = Object.keys(doc.paths).filter((template) => {
    const pattern = template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
  return matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

/** Every field of `value` is described by `schema`, and every required one is there, recursively. */
export function checkShape(
  value: unknown,
  schema: SchemaJson,
  definitions: Record<string, SchemaJson>,
  where: string,
): void {
  if (schema.$ref !== undefined) {
    const name = schema.$ref.replace(/^#\/(definitions|components\/schemas)\//, '');
    const resolved = definitions[name];
    assert.ok(resolved, `${where}: ${schema.$ref} is defined`);
    checkShape(value, resolved, definitions, where);
    return;
  }
  if (value === null) return;
  if (schema.type === 'array') {
    assert.ok(Array.isArray(value), `${where} is an array`);
    for (const [i, item] of (value as unknown[]).entries())
      checkShape(item, schema.items!, definitions, `${where}[${i}]`);
    return;
  }
  if (schema.type === 'object') {
    assert.equal(typeof value, 'object', where);
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const property = schema.properties?.[key] ?? schema.additionalProperties;
      assert.ok(property, `${where}.${key} is in the schema`);
      checkShape(object[key], property, definitions, `${where}.${key}`);
    }
    for (const key of schema.required ?? []) assert.ok(key in object, `${where}.${key} is present`);
    return;
  }
  if (schema.type !== undefined) assert.equal(typeof value, schema.type === 'integer' ? 'number' : schema.type, where);
}
