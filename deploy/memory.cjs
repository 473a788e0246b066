/**
 * The function's memory and the V8 flags that fit it. V8 sizes its heap by the host's memory, not the function's:
 * left alone in a 512 MB function it would let garbage grow past 512 MB and the function would be killed. So
 * serverless.yml sets `memorySize: ${file(./deploy/memory.cjs):memorySize}` and
 * `NODE_OPTIONS: ${file(./deploy/memory.cjs):nodeOptions}` from one parameter (`--param=memory=256`), and the
 * benchmark runs certwatch under the same flags (`npm run bench -- --memory-mb 256`).
 *
 * - Old space (where the report lives): 3/4 of the memory, and at least 96 MB below it, for the young
 *   generation, code, Node itself and socket buffers (measured: a 100,000-certificate scan held to 160 MB of
 *   old space peaks at 236 MB RSS, npm run bench).
 * - Young generation: 8 MB semi-spaces instead of 16. Replies and parsed pages die young either way; smaller
 *   semi-spaces cost no measurable time and 24 MB less RSS.
 */
'use strict';

/** Lambda's range; below 256 MB there is too little heap to be worth a scan (10,000 certificates take ~40 MB). */
const MIN_MB = 256;
const MAX_MB = 10_240;
const NON_HEAP_MB = 96;
const SEMI_SPACE_MB = 8;

/** `NODE_OPTIONS` for a function of `memoryMb`. */
function nodeOptionsFor(memoryMb) {
  const oldSpace = Math.min(Math.floor(memoryMb * 0.75), memoryMb - NON_HEAP_MB);
  return `--max-old-space-size=${oldSpace} --max-semi-space-size=${SEMI_SPACE_MB}`;
}

/** The memory parameter as a number of MB, or a clear error. */
function memoryMb(value) {
  const memory = Number(value);
  if (!Number.isInteger(memory) || memory < MIN_MB || memory > MAX_MB) {
    throw new Error(
      `memory "${value}" must be a whole number of MB from ${MIN_MB} to ${MAX_MB} (Lambda's memorySize)`,
    );
  }
  return memory;
}

module.exports = async function resolve({ resolveVariable }) {
  const memory = memoryMb(await resolveVariable('param:memory'));
  return { memorySize: memory, nodeOptions: nodeOptionsFor(memory) };
};
module.exports.nodeOptionsFor = nodeOptionsFor;
module.exports.memoryMb = memoryMb;
