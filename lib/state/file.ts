import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../atomicFile';
import { parseIsoInstant } from '../expiry/instant';
import { StateStoreError } from './errors';
import { MemoryStateStore } from './memory';
import type { AlertHistory, AlertStateStore, ClaimRequest } from './store';

/** The `version` this code reads and writes; a file with another one is refused rather than misread. */
export const STATE_FILE_VERSION = 1;

export class FileStateStore implements AlertStateStore {
  readonly name = 'file';
  readonly path: string;
  /** Each operation starts when the previous one settled: this is what makes claim atomic within the process. */
  #queue: Promise<unknown> = Promise.resolve();
  /** The file's histories, read on first use; null until then, and again after a failed write. */
  #memory: MemoryStateStore | null = null;
  /** The file's contents as this store would write them, so an operation that changed nothing writes nothing. */
  #written = '';

  constructor(path: string) {
    this.path = path;
  }

  load(certificateKeys: readonly string[]): Promise<Map<string, AlertHistory>> {
    return this.#serially(async () => (await this.#histories()).load(certificateKeys));
  }

  claim(request: ClaimRequest): Promise<boolean> {
    return this.#update((memory) => memory.claim(request));
  }

  confirm(
    certificateKey: string,
    rung: string,
    now: string,
    delivered?: 'sent' | 'digested',
    keepLease?: boolean,
  ): Promise<void> {
    return this.#update((memory) => memory.confirm(certificateKey, rung, now, delivered, keepLease));
  }

  release(certificateKey: string, rung: string, restore?: AlertHistory): Promise<void> {
    return this.#update((memory) => memory.release(certificateKey, rung, restore));
  }

  forget(certificateKey: string): Promise<void> {
    return this.#update((memory) => memory.forget(certificateKey));
  }

  #serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    // The next operation waits for this one whether it succeeded or not; its caller sees its own failure.
    this.#queue = result.catch(() => undefined);
    return result;
  }

  #update<T>(change: (memory: MemoryStateStore) => Promise<T>): Promise<T> {
    return this.#serially(async () => {
      const memory = await this.#histories();
      const result = await change(memory);
      const text = serialize(memory.histories());
      if (text === this.#written) return result;
      try {
        await writeFileAtomically(this.path, text);
      } catch (error) {
        // Memory now holds a change the file does not: drop it so the next operation starts from the file.
        this.#memory = null;
        throw new StateStoreError(
          `Could not write the alert state file ${this.path}: ${messageOf(error)}. Check that its directory is ` +
            'writable and has space.',
          { cause: error },
        );
      }
      this.#written = text;
      return result;
    });
  }

  async #histories(): Promise<MemoryStateStore> {
    if (this.#memory) return this.#memory;
    const histories = parseStateFile(await this.#read(), this.path);
    this.#memory = new MemoryStateStore(histories);
    this.#written = serialize(histories);
    return this.#memory;
  }

  async #read(): Promise<string> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      // No file yet: nothing was ever alerted from here.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new StateStoreError(
        `Could not read the alert state file ${this.path}: ${messageOf(error)}. Check that it is a readable file.`,
        { cause: error },
      );
    }
  }
}

/**
 * The histories in a state file's text. Empty text is empty history (a file just created with `touch`); anything
 * else that is not a version-1 state file is a StateStoreError naming the file and how to start over.
 */
export function parseStateFile(text: string, path: string): AlertHistory[] {
  if (text.trim() === '') return [];
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw corrupt(path, `it is not JSON (${messageOf(error)})`, error);
  }
  if (!isObject(document)) throw corrupt(path, 'it is not a JSON object');
  if (typeof document.version === 'number' && document.version > STATE_FILE_VERSION) {
    throw new StateStoreError(
      `The alert state file ${path} was written by a newer certwatch (version ${document.version}; this one ` +
        `reads version ${STATE_FILE_VERSION}). Run that certwatch, or delete the file to start over; certificates ` +
        'already alerted may then be alerted once more.',
    );
  }
  if (document.version !== STATE_FILE_VERSION) {
    throw corrupt(path, `its version is ${JSON.stringify(document.version)}, not ${STATE_FILE_VERSION}`);
  }
  const certificates = document.certificates;
  if (!isObject(certificates)) throw corrupt(path, '"certificates" is not an object');
  return Object.entries(certificates).map(([key, value]) => {
    const problem = historyProblem(key, value);
    if (problem) throw corrupt(path, `certificates[${JSON.stringify(key)}] ${problem}`);
    const { certificateKey, rung, notAfter, state, at, leaseUntil, owner } = value as unknown as AlertHistory;
    return { certificateKey, rung, notAfter, state, at, leaseUntil, ...(owner ? { owner } : {}) };
  });
}

/** The file's text: certificates sorted by key so successive versions diff cleanly. */
function serialize(histories: readonly AlertHistory[]): string {
  const sorted = [...histories].sort((a, b) => (a.certificateKey < b.certificateKey ? -1 : 1));
  const certificates = Object.fromEntries(sorted.map((history) => [history.certificateKey, history]));
  return `${JSON.stringify({ version: STATE_FILE_VERSION, certificates }, null, 2)}\n`;
}

const STATES: ReadonlySet<unknown> = new Set(['sending', 'digested', 'sent']);

/** What is wrong with one entry, or null when it is a usable AlertHistory stored under `key`. */
function historyProblem(key: string, value: unknown): string | null {
  if (!isObject(value)) return 'is not an object';
  if (value.certificateKey !== key) return `has certificateKey ${JSON.stringify(value.certificateKey)}`;
  for (const field of ['rung', 'notAfter', 'at', 'leaseUntil'] as const) {
    if (typeof value[field] !== 'string' || value[field] === '') return `has no ${field}`;
  }
  if (value.owner !== undefined && typeof value.owner !== 'string')
    return 'has an owner that is not a string';
  if (!STATES.has(value.state))
    return `has state ${JSON.stringify(value.state)}, not "sending", "digested" or "sent"`;
  for (const field of ['at', 'leaseUntil'] as const) {
    if (parseIsoInstant(value[field] as string) === null) {
      return `has ${field} that is not an ISO 8601 instant`;
    }
  }
  return null;
}

function corrupt(path: string, problem: string, cause?: unknown): StateStoreError {
  return new StateStoreError(
    `The alert state file ${path} is corrupt: ${problem}. Delete it to start over; certificates already alerted ` +
      'may then be alerted once more.',
    cause === undefined ? undefined : { cause },
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
