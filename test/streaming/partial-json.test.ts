import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePartialJson } from '../../src/core/streaming/partial-json.js';

describe('parsePartialJson', () => {
  it('reads the complete text exactly, and every prefix without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        expect(parsePartialJson(text)).toEqual(JSON.parse(text));
        for (let i = 0; i <= text.length; i++) parsePartialJson(text.slice(0, i));
      }),
      { numRuns: 300 },
    );
  });

  it('an object prefix reads as the keys finished so far, strings as far as written', () => {
    expect(parsePartialJson('{"verdict":"appr')).toEqual({ verdict: 'appr' });
    expect(parsePartialJson('{"verdict":"approve","reasons":["in win')).toEqual({ verdict: 'approve', reasons: ['in win'] });
    expect(parsePartialJson('{"a":1,"b"')).toEqual({ a: 1 });
    expect(parsePartialJson('{"a":1,"b":')).toEqual({ a: 1 });
    expect(parsePartialJson('{"a":tru')).toEqual({});
    expect(parsePartialJson('{"a":-')).toEqual({});
    expect(parsePartialJson('{"a":12.')).toEqual({ a: 12 });
    expect(parsePartialJson('{"s":"x\\')).toEqual({ s: 'x' });
    expect(parsePartialJson('')).toBeUndefined();
  });
});
