/**
 * The alert history file of `certwatch scan`: readable as a state file when it exists, and its directory writable
 * (the store replaces the file through a temporary one beside it, and creates missing directories).
 */
import { constants } from 'node:fs';
import { access, lstat, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { symlinkRefused } from '../atomicFile';
import type { Check, CheckResult } from '../checks/check';
import { CertwatchError } from '../errors';
import { parseStateFile } from '../state/file';
import { describeUnusableHistory } from '../state/history';
import type { UnusableHistory } from '../state/store';

/** The file system calls the check makes; node:fs/promises by default, a fake in tests. */
export interface StateFileFs {
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean }>;
  /** The file itself, not what a link at its place points to: certwatch never writes through one. */
  lstat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }>;
  access(path: string, mode: number): Promise<void>;
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

const nodeFs: StateFileFs = { stat, lstat, access, readFile };

/** `setting` says where the path came from, e.g. `CERTWATCH_STATE_FILE` or `the default`. */
export function stateFileCheck(path: string, setting: string, fs: StateFileFs = nodeFs): Check {
  const subject = `state file ${path} (${setting})`;
  const fail = (words: string): CheckResult => ({ status: 'fail', text: `${subject}: ${words}` });
  return {
    subject,
    async run(): Promise<CheckResult> {
      let history: string | null = null;
      let unusable: UnusableHistory[] = [];
      const file = await statOrNull(() => fs.lstat(path));
      if (file instanceof Error) return fail(`cannot be inspected (${codeOf(file)})`);
      if (file) {
        if (file.isSymbolicLink()) {
          return fail((await symlinkRefused(path, 'replaces its alert state file whole')).message);
        }
        if (!file.isFile()) return fail('is not a file: set CERTWATCH_STATE_FILE to a file path');
        try {
          const contents = parseStateFile(await fs.readFile(path, 'utf8'), path);
          const entries = contents.histories.length;
          history = `history of ${entries} certificate${entries === 1 ? '' : 's'}`;
          unusable = contents.unusable;
          await fs.access(path, constants.W_OK);
        } catch (error) {
          if (error instanceof CertwatchError) return fail(error.message);
          return fail(`cannot be read and written (${codeOf(error)}): fix its permissions`);
        }
      }
      // The nearest directory that exists: the store creates the rest.
      let directory = dirname(path);
      let found = await statOrNull(() => fs.stat(directory));
      while (found === null && dirname(directory) !== directory) {
        directory = dirname(directory);
        found = await statOrNull(() => fs.stat(directory));
      }
      if (found instanceof Error) return fail(`${directory} cannot be inspected (${codeOf(found)})`);
      if (!found?.isDirectory()) {
        return fail(`${directory} is not a directory, so the file cannot be created there`);
      }
      try {
        await fs.access(directory, constants.W_OK | constants.X_OK);
      } catch (error) {
        return fail(
          `cannot write in ${directory} (${codeOf(error)}): fix its permissions, or set CERTWATCH_STATE_FILE ` +
            'to a path you can write',
        );
      }
      const where =
        directory === dirname(path)
          ? `${directory} is writable`
          : `${dirname(path)} will be created in ${directory}, which is writable`;
      const text = `${subject}: ${where}; ${history ?? 'no history yet (the file is written on the first alert)'}`;
      if (unusable.length > 0)
        return { status: 'warn', text: `${text}; ${describeUnusableHistory(unusable)}` };
      return { status: 'ok', text };
    },
  };
}

/**
 * The path's stat; null when it does not exist (ENOTDIR: a file sits where one of its directories should be,
 * which the walk up to the nearest existing directory then finds); the error when it cannot be inspected.
 */
async function statOrNull<T>(inspect: () => Promise<T>): Promise<T | Error | null> {
  try {
    return await inspect();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return error instanceof Error ? error : new Error(String(error));
  }
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
