import { describe, expect, it } from 'vitest';
import { jsonErrorPlace, jsonSyntaxError } from '../../lib/jsonText';

describe('jsonErrorPlace', () => {
  it.each([
    ['an unexpected token', '{"a": SECRET-1f9c}', 'near line 1, column 7'],
    ['a missing comma', '{"a": 1,\n "b": 2 "c": 3}', 'near line 2, column 9'],
    ['a trailing comma', '[1, 2,]', 'near line 1, column 7'],
    ['a text that ends early', '{"a": [1, 2', 'near line 1, column 12'],
    ['trailing text', '{} SECRET', 'near line 1, column 4'],
  ])('places %s where JSON.parse refuses it, quoting nothing', (_, text, place) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorPlace(text)).toBe(place);
  });

  it('does not blame a repeated key, which JSON.parse takes, for the error it refused', () => {
    const text = '{"a": 1, "a": 2, "b": }';
    expect(jsonSyntaxError(text)?.what).toBe('a key is repeated in the same object');
    expect(jsonErrorPlace(text)).toBe('near line 1, column 23');
  });
});
