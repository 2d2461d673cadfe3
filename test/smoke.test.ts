import { describe, expect, it } from 'vitest';
import { example } from '../examples/vend/order-support.js';

describe('order-support example', () => {
  it('answers from the tool data', async () => {
    const out = await example.run('Where is order 1042?');
    expect(out.answer).toContain('shipped');
    expect(out.answer).toContain('DHL');
    expect(out.actions?.[0]?.tool).toBe('get_order');
    expect(out.result.scripted).toBe(true);
  });
});
