import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const { nodeOptionsFor, memoryMb } = createRequire(import.meta.url)('../../../deploy/memory.cjs') as {
  nodeOptionsFor: (memoryMb: number) => string;
  memoryMb: (value: unknown) => number;
};

describe('deploy/memory.cjs', () => {
  it('holds the old space to 3/4 of the memory, at least 96 MB below it, with 8 MB semi-spaces', () => {
    expect(nodeOptionsFor(256)).toBe('--max-old-space-size=160 --max-semi-space-size=8');
    expect(nodeOptionsFor(512)).toBe('--max-old-space-size=384 --max-semi-space-size=8');
    expect(nodeOptionsFor(1024)).toBe('--max-old-space-size=768 --max-semi-space-size=8');
  });

  it('takes a whole number of MB in range, and says what it wants otherwise', () => {
    expect(memoryMb('256')).toBe(256);
    expect(memoryMb(10_240)).toBe(10_240);
    for (const bad of ['128', '512MB', '', '300.5', '20000']) {
      expect(() => memoryMb(bad)).toThrow(`memory "${bad}" must be a whole number of MB from 256 to 10240`);
    }
  });
});
