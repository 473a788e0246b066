/**
 * Alert history in a JSON file, for the CLI: `{"version": 1, "certificates": {<certificateKey>: AlertHistory}}`,
 * with `"notAfter": null` for a certificate with no known expiry (older versions wrote "", read as null). An entry
 * that cannot be used is skipped and reported (its certificate may be alerted once more), and kept as it was in
 * the file until a claim for its certificate replaces it, so nothing is thrown away unseen.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomically } from '../atomicFile';
import { CertwatchError } from '../errors';
import { jsonErrorPlace } from '../jsonText';
import { StateStoreError } from './errors';
import { readStoredHistory, type StoredHistory, storedHistory } from './history';
import { MemoryStateStore } from './memory';
import type { AlertHistory, AlertStateStore, ClaimRequest, LoadOptions, UnusableHistory } from './store';

/** The `version` this code reads and writes; a file with another one is refused rather than misread. */
export const STATE_FILE_VERSION = 1;

/** What a state file holds: the usable histories, and the entries that are not (each with its problem). */
export interface StateFileContents {
  histories: AlertHistory[];
  unusable: UnusableHistory[];
}

/** An unusable entry as the file holds it, written back untouched. */
interface KeptEntry {
  problem: string;
  stored: unknown;
}

export class FileStateStore implements AlertStateStore {
  readonly name = 'file';
  readonly path: string;
  /** Each operation starts when the previous one settled: this is what makes claim atomic within the process. */
  #queue: Promise<unknown> = Promise.resolve();
  /** The file's histories, read on first use; null until then, and again after a failed write. */
  #memory: MemoryStateStore | null = null;
  /** The file's unusable entries, by key, read with #memory: written back as they were until replaced. */
  #unusable = new Map<string, KeptEntry>();
  /** The file's usable entries as read, by key: written back as they were while their history is unchanged. */
  #asRead: AsRead = new Map();
  /** The file's contents as this store would write them, so an operation that changed nothing writes nothing. */
  #written = '';

  constructor(path: string) {
    this.path = path;
  }

  load(certificateKeys: readonly string[], options: LoadOptions = {}): Promise<Map<string, AlertHistory>> {
    return this.#serially(async () => {
      const memory = await this.#histories();
      for (const key of new Set(certificateKeys)) {
        const kept = this.#unusable.get(key);
        if (kept) options.onUnusable?.({ certificateKey: key, problem: kept.problem });
      }
      return memory.load(certificateKeys);
    });
  }

  claim(request: ClaimRequest): Promise<boolean> {
    return this.#update((memory) => memory.claim(request));
  }

  confirm(
    certificateKey: string,
    rung: string,
    nowMs: number,
    delivered?: 'sent' | 'digested',
    keepLease?: boolean,
  ): Promise<void> {
    return this.#update((memory) => memory.confirm(certificateKey, rung, nowMs, delivered, keepLease));
  }

  release(certificateKey: string, rung: string, restore?: AlertHistory): Promise<void> {
    return this.#update((memory) => memory.release(certificateKey, rung, restore));
  }

  forget(certificateKey: string): Promise<void> {
    return this.#update((memory) => {
      this.#unusable.delete(certificateKey);
      return memory.forget(certificateKey);
    });
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
      const histories = memory.histories();
      // A certificate written now (a claim won over its unusable entry) is no longer kept as it was.
      for (const history of histories) this.#unusable.delete(history.certificateKey);
      const text = serialize(histories, this.#asRead, this.#unusable);
      if (text === this.#written) return result;
      try {
        await writeFileAtomically(this.path, text);
      } catch (error) {
        // Memory now holds a change the file does not: drop it so the next operation starts from the file.
        this.#memory = null;
        // Our own errors (a symbolic link refused) say what to do; the file system's get the usual advice.
        const advice =
          error instanceof CertwatchError ? '' : '. Check that its directory is writable and has space.';
        throw new StateStoreError(
          `Could not write the alert state file ${this.path}: ${messageOf(error)}${advice}`,
          { cause: error },
        );
      }
      this.#written = text;
      return result;
    });
  }

  async #histories(): Promise<MemoryStateStore> {
    if (this.#memory) return this.#memory;
    const { histories, asRead, unusable } = readStateFile(await this.#read(), this.path);
    this.#memory = new MemoryStateStore(histories);
    this.#unusable = unusable;
    this.#asRead = asRead;
    this.#written = serialize(histories, asRead, unusable);
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
 * The histories in a state file's text. Empty text is empty history (a file just created with `touch`). Text that
 * is not a version-1 state file at all is a StateStoreError naming the file and how to start over; within one, an
 * entry that is not usable history is listed in `unusable` (its key and what is wrong) and the rest is read.
 */
export function parseStateFile(text: string, path: string): StateFileContents {
  const { histories, unusable } = readStateFile(text, path);
  return {
    histories,
    unusable: [...unusable].map(([certificateKey, { problem }]) => ({ certificateKey, problem })),
  };
}

/** A usable entry of the file: its history, and its text as read (its instants as the file wrote them). */
type AsRead = Map<string, { history: AlertHistory; stored: StoredHistory }>;

function readStateFile(
  text: string,
  path: string,
): { histories: AlertHistory[]; asRead: AsRead; unusable: Map<string, KeptEntry> } {
  const histories: AlertHistory[] = [];
  const asRead: AsRead = new Map();
  const unusable = new Map<string, KeptEntry>();
  if (text.trim() === '') return { histories, asRead, unusable };
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    // Neither JSON.parse's message nor the error itself (as a cause, which the function's log writes out): it
    // quotes the file's text, and this message goes into the digest every channel is told.
    throw corrupt(path, `it is not JSON (${jsonErrorPlace(text)})`);
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
    // The version as a number, else its type only: never a fragment of the file's text.
    const { version } = document;
    const found =
      typeof version === 'number'
        ? String(version)
        : version === undefined
          ? 'missing'
          : `a ${typeof version}`;
    throw corrupt(path, `its version is ${found}, not ${STATE_FILE_VERSION}`);
  }
  const certificates = document.certificates;
  if (!isObject(certificates)) throw corrupt(path, '"certificates" is not an object');
  for (const [key, stored] of Object.entries(certificates)) {
    const read = isObject(stored) ? readStoredHistory(key, stored) : { problem: 'is not an object' };
    if ('history' in read) {
      histories.push(read.history);
      asRead.set(key, { history: read.history, stored: read.stored });
    } else unusable.set(key, { problem: read.problem, stored });
  }
  return { histories, asRead, unusable };
}

/**
 * The file's text: certificates sorted by key so successive versions diff cleanly, the unusable entries among
 * them as they were read. An entry whose history did not change keeps the text it was read with (an instant
 * written in another ISO form stays as it was); a changed one is written as every store writes it.
 */
function serialize(
  histories: readonly AlertHistory[],
  asRead: AsRead,
  kept: ReadonlyMap<string, KeptEntry>,
): string {
  const entryOf = (history: AlertHistory): StoredHistory => {
    const read = asRead.get(history.certificateKey);
    return read && sameHistory(read.history, history) ? read.stored : storedHistory(history);
  };
  const entries: [string, unknown][] = [
    ...histories.map((history): [string, unknown] => [history.certificateKey, entryOf(history)]),
    ...[...kept].map(([key, { stored }]): [string, unknown] => [key, stored]),
  ];
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify({ version: STATE_FILE_VERSION, certificates: Object.fromEntries(entries) }, null, 2)}\n`;
}

function sameHistory(a: AlertHistory, b: AlertHistory): boolean {
  return (
    a.certificateKey === b.certificateKey &&
    a.rung === b.rung &&
    a.notAfterMs === b.notAfterMs &&
    a.state === b.state &&
    a.atMs === b.atMs &&
    a.leaseUntilMs === b.leaseUntilMs &&
    a.owner === b.owner
  );
}

function corrupt(path: string, problem: string): StateStoreError {
  return new StateStoreError(
    `The alert state file ${path} is corrupt: ${problem}. Delete it to start over; certificates already alerted ` +
      'may then be alerted once more.',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
