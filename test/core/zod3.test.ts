/** A zod 3 schema (it has `_def`, not zod 4's `_zod`) fails with a clear ConfigError, not "reading 'def'". */
import { describe, expect, it } from 'vitest';
import { ConfigError, tool } from '../../src/index.js';

describe('zod 3 schemas', () => {
  it('tool() names the requirement', () => {
    const zod3Like = { _def: { typeName: 'ZodObject' }, parse: (x: unknown) => x, safeParse: (x: unknown) => ({ success: true, data: x }) };
    const make = () => tool({ name: 't', description: 'd', input: zod3Like as never, execute: () => 'ok' });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/zod 4 schema .*npm install zod@\^4/);
  });
});
