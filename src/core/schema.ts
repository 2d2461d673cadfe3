/**
 * zod → JSON schema through zod's own converter, plus the check whether the
 * result meets strict-mode rules (OpenAI strict function calling and
 * structured outputs): every object closed and every property required.
 */
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import type { JsonSchema } from './model.js';

/**
 * zod types a model cannot send as JSON. Their schema would be `{}`, which
 * tells the model nothing, so a tool or output using one could never be
 * called correctly: refused at build time instead. (Transforms are let
 * through: their input side is still checked when the call arrives.)
 */
const NOT_JSON = new Set(['date', 'bigint', 'map', 'set', 'symbol', 'nan', 'undefined', 'void', 'function', 'custom', 'promise']);

/** `field` names the schema in the ConfigError thrown for a type that has no JSON form (e.g. "tool.refund.input"). */
export function toJsonSchema(schema: z.ZodType, field = 'schema'): JsonSchema {
  // A zod 3 schema (no `_zod`) would fail deep inside the converter with "reading 'def'"; zod 4 before 4.6 has
  // no `toJSONSchema` method on the schema.
  if (!schema || typeof schema !== 'object' || !('_zod' in schema) || typeof schema.toJSONSchema !== 'function') {
    throw new ConfigError(field, 'expected a zod 4 schema (zod >= 4.6; zod 3 schemas are not supported): npm install zod@^4.6');
  }
  // The schema's own converter (zod >= 4.6), so importing the library does not load zod: the caller's schema did.
  const json = schema.toJSONSchema({
    target: 'draft-2020-12',
    unrepresentable: ({ zodSchema, path }) => {
      const type = zodSchema._zod.def.type;
      if (!NOT_JSON.has(type)) return 'any';
      throw new ConfigError(`${field}${fieldPath(path)}`, `a ${type} has no JSON form, so a model cannot send it; use a JSON type (e.g. an ISO date string instead of z.date())`);
    },
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** A JSON-schema location as the field path a user wrote: ["properties","a","items"] → ".a[]". */
function fieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const part = path[i];
    if (part === 'properties' || part === 'patternProperties') out += `.${String(path[++i])}`;
    else if (part === 'items' || part === 'prefixItems') out += '[]';
    else if (part === 'additionalProperties') out += '{}';
    else if (typeof part === 'number') out += `<${part + 1}>`;
  }
  return out;
}

export function isStrictCompatible(schema: unknown): boolean {
  if (schema === null || typeof schema !== 'object') return true;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' || s.properties) {
    const props = (s.properties ?? {}) as Record<string, unknown>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    if (s.additionalProperties !== false) return false;
    for (const key of Object.keys(props)) if (!required.has(key)) return false;
  }
  for (const value of Object.values(s)) {
    if (Array.isArray(value)) {
      if (!value.every(isStrictCompatible)) return false;
    } else if (value && typeof value === 'object' && !isStrictCompatible(value)) return false;
  }
  return true;
}

/** Human-readable zod issues: "path.to.field: message; ...". */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
