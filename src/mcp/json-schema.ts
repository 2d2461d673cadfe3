/**
 * Tools defined from a JSON Schema (an MCP server's, or your own): the schema
 * is sent to the model as it is, and arguments are validated against it
 * before the call, so a mismatch goes back to the model as a tool error, as
 * for a zod tool. The validator is ajv: the most used JSON Schema validator,
 * drafts 07 and 2020-12, and already a dependency of the official MCP SDK (no
 * extra install for MCP users). It is an optional peer, loaded on first use.
 */
import { z } from 'zod';
import type { JsonSchema } from '../core/model.js';
import { tool, type Tool, type ToolConfig } from '../core/tool.js';
import { McpUnavailable } from './errors.js';

interface AjvError {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
interface Ajv {
  compile(schema: object): ValidateFn;
}
type AjvClass = new (options: object) => Ajv;

const DRAFT_07 = /draft-0[67]/;

let validators: Promise<{ draft2020: Ajv; draft07: Ajv }> | undefined;

function loadAjv(): Promise<{ draft2020: Ajv; draft07: Ajv }> {
  return (validators ??= (async () => {
    try {
      const [draft07Module, draft2020Module] = await Promise.all([import('ajv'), import('ajv/dist/2020.js')]);
      const options = { strict: false, allErrors: true, validateFormats: false };
      // ajv is CommonJS: its class is the default export's `default`.
      const classOf = (m: unknown) => ((m as { default: { default?: AjvClass } }).default.default ?? (m as { default: AjvClass }).default) as AjvClass;
      const Draft07 = classOf(draft07Module);
      const Draft2020 = classOf(draft2020Module);
      return { draft2020: new Draft2020(options), draft07: new Draft07(options) };
    } catch (err) {
      validators = undefined;
      throw new McpUnavailable('ajv', err);
    }
  })());
}

/**
 * A zod schema that validates with ajv against `schema` (the zod side is only
 * the carrier: run-tool's validation and error messages work unchanged). A
 * schema that does not compile refuses every call, with the reason.
 */
export async function validatorFor(schema: JsonSchema): Promise<z.ZodType<Record<string, unknown>>> {
  const ajv = await loadAjv();
  let validate: ValidateFn | undefined;
  let broken: string | undefined;
  try {
    const draft = typeof schema.$schema === 'string' && DRAFT_07.test(schema.$schema) ? ajv.draft07 : ajv.draft2020;
    const { $schema: _dialect, ...rest } = schema;
    validate = draft.compile(rest);
  } catch (err) {
    broken = `the tool's input schema is not a valid JSON Schema (${(err as Error).message})`;
  }
  return z.custom<Record<string, unknown>>().superRefine((value, ctx) => {
    if (!validate) {
      ctx.addIssue({ code: 'custom', message: broken! });
      return;
    }
    if (validate(value)) return;
    for (const e of validate.errors ?? []) {
      const extra = typeof e.params.additionalProperty === 'string' ? ` ("${e.params.additionalProperty}")` : '';
      ctx.addIssue({ code: 'custom', message: `${e.message ?? 'is invalid'}${extra}`, path: e.instancePath.split('/').slice(1) });
    }
  });
}

export type JsonSchemaToolConfig<R> = Omit<ToolConfig<z.ZodType<Record<string, unknown>>, R>, 'input' | 'parameters'> & {
  /** The JSON Schema of the arguments: sent to the model as is, and validated before each call. */
  parameters: JsonSchema;
};

/** A Tool from a JSON Schema instead of zod (async: the validator loads on first use). */
export async function jsonSchemaTool<R>(config: JsonSchemaToolConfig<R>): Promise<Tool<z.ZodType<Record<string, unknown>>, R>> {
  return tool({ ...config, input: await validatorFor(config.parameters) });
}
