/**
 * For tests of the files certwatch writes: a fresh temporary folder for each test, under the usual umask (022, so
 * a file created the default way would be 0644, readable by every user), and the permission bits of a path.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Registers the folder's setup and removal around each test of the file; `path` is the current test's folder. */
export function tempDirPerTest(prefix: string): { readonly path: string } {
  const current = { path: '' };
  let umask = 0;
  beforeEach(() => {
    current.path = mkdtempSync(join(tmpdir(), prefix));
    // process.umask is per process: vitest runs each test file in its own (pool: 'forks').
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(current.path, { recursive: true, force: true });
  });
  return current;
}

/** The permission bits, in octal as people write them: `600`. */
export const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8);
