/**
 * zod → JSON schema through zod's own converter, plus the check whether the
 * result meets strict-mode rules (OpenAI strict function calling and
 * structured outputs): every object closed and every property required.
 */
import { z } from 'zod';
import { ConfigError } from './errors.js';
import type { JsonSchema } from './model.js';

export function toJsonSchema(schema: z.ZodType): JsonSchema {
  // A zod 3 schema (no `_zod`) would fail deep inside the converter with "reading 'def'".
  if (!schema || typeof schema !== 'object' || !('_zod' in schema)) {
    throw new ConfigError('schema', 'expected a zod 4 schema (zod 3 schemas are not supported): npm install zod@^4');
  }
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
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
