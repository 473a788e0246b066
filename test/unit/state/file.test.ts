import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateStoreError } from '../../../lib/state/errors';
import { FileStateStore } from '../../../lib/state/file';
import type { AlertHistory, ClaimRequest, UnusableHistory } from '../../../lib/state/store';
import { describeAlertStateStore } from './contract';

let directory: string;
let stores = 0;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'certwatch-state-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describeAlertStateStore(
  'FileStateStore',
  () => new FileStateStore(join(directory, `state-${++stores}.json`)),
  {
    reopen: (store) => new FileStateStore(store.path),
  },
);

const CLAIM: ClaimRequest = {
  certificateKey: 'ucloud/ulb/cn-bj2/org-a/ssl-web',
  rung: 'd30',
  notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
  nowMs: Date.parse('2026-11-23T12:00:00Z'),
  leaseMs: 60_000,
};

describe('FileStateStore on disk', () => {
  it('writes a version-1 document keyed by certificate, which a new store reads back', async () => {
    const path = join(directory, 'state.json');
    const store = new FileStateStore(path);
    expect(await store.claim(CLAIM)).toBe(true);
    await store.confirm(CLAIM.certificateKey, 'd30', Date.parse('2026-11-23T12:00:05Z'));

    const document = JSON.parse(await readFile(path, 'utf8'));
    expect(document).toEqual({
      version: 1,
      certificates: {
        [CLAIM.certificateKey]: {
          certificateKey: CLAIM.certificateKey,
          rung: 'd30',
          notAfter: '2026-12-20T00:00:00Z',
          state: 'sent',
          at: '2026-11-23T12:00:05.000Z',
          leaseUntil: '2026-11-23T12:01:00.000Z',
        },
      },
    });
    const reopened = new FileStateStore(path);
    expect(await reopened.claim({ ...CLAIM, nowMs: Date.parse('2026-11-24T12:00:00Z') })).toBe(false);
  });

  it('creates the file and its directory on the first write, and not before', async () => {
    const path = join(directory, 'nested', 'deeper', 'state.json');
    const store = new FileStateStore(path);
    await store.load([CLAIM.certificateKey]);
    await store.release(CLAIM.certificateKey, 'd30');
    await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.claim(CLAIM);
    expect(JSON.parse(await readFile(path, 'utf8')).version).toBe(1);
  });

  it('takes an empty file as empty history', async () => {
    const path = join(directory, 'state.json');
    await writeFile(path, '');
    expect(await new FileStateStore(path).claim(CLAIM)).toBe(true);
  });

  it('leaves no temporary file behind after many writes', async () => {
    const path = join(directory, 'state.json');
    const store = new FileStateStore(path);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => store.claim({ ...CLAIM, certificateKey: `k${i}` })),
    );
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.confirm(`k${i}`, 'd30', CLAIM.nowMs)));
    expect(await readdir(directory)).toEqual(['state.json']);
    expect(Object.keys(JSON.parse(await readFile(path, 'utf8')).certificates)).toHaveLength(25);
  });

  it.each([
    ['not JSON', '{"version": 1, "certificates": {', /is not JSON/],
    ['not an object', '[]', /is not a JSON object/],
    ['without a version', '{"certificates": {}}', /its version is missing, not 1/],
    [
      'with a version of text',
      '{"version": "SECRET-TEXT-1f9c", "certificates": {}}',
      /its version is a string, not 1/,
    ],
    ['without certificates', '{"version": 1}', /"certificates" is not an object/],
  ])('refuses a file %s, naming it and how to start over', async (_, text, problem) => {
    const path = join(directory, 'state.json');
    await writeFile(path, text);
    const store = new FileStateStore(path);
    const error = await store.claim(CLAIM).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toContain(`The alert state file ${path} is corrupt`);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toContain('Delete it to start over');
    // The file is left as it was for someone to look at.
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it.each([
    // Node 20's message names no position for this one: the strict reader (lib/jsonText.ts) finds it all the same.
    [
      'an unexpected token',
      '{"version":1, "certificates": SECRET-TEXT-1f9c pasted here',
      'near line 1, column 31',
    ],
    [
      'a missing comma',
      '{"version":1,\n "certificates": {"SECRET-TEXT-1f9c": 1} "x": 2}',
      'near line 2, column 42',
    ],
    ['trailing text', '{"version":1, "certificates": {}} SECRET-TEXT-1f9c', 'near line 1, column 35'],
  ])('says where a file that is not JSON goes wrong (%s), never quoting its text', async (_, text, place) => {
    const path = join(directory, 'state.json');
    await writeFile(path, text);
    const error = await new FileStateStore(path).claim(CLAIM).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateStoreError);
    const { message, cause } = error as Error;
    expect(message).toContain(`The alert state file ${path} is corrupt: it is not JSON (${place})`);
    expect(message).not.toContain('SECRET');
    // Not as a cause either: the function's log writes causes out, and JSON.parse's message quotes the text.
    expect(cause).toBeUndefined();
  });

  it('skips an unusable entry among usable ones, says which and why without its text, and uses the rest', async () => {
    const path = join(directory, 'state.json');
    const good = (key: string, fields: Record<string, unknown> = {}) => ({
      certificateKey: key,
      rung: 'd30',
      notAfter: '2026-12-20T00:00:00Z',
      state: 'sent',
      at: '2026-11-23T12:00:00.000Z',
      leaseUntil: '2026-11-23T12:15:00.000Z',
      ...fields,
    });
    // SECRET marks text that must not be repeated: only keys and field names may be.
    const certificates: Record<string, unknown> = {
      'a/ok': good('a/ok'),
      // How older versions wrote a certificate with no known expiry.
      'b/legacy-unknown': good('b/legacy-unknown', { rung: 'unknown', notAfter: '' }),
      'c/state': good('c/state', { state: 'SECRET-lost' }),
      'd/rung': good('d/rung', { rung: undefined }),
      'e/not-after': good('e/not-after', { notAfter: 'SECRET-soon' }),
      'f/at': good('f/at', { at: 'SECRET-yesterday' }),
      'g/not-object': 'SECRET-string',
      'h/moved': good('SECRET-elsewhere'),
      'i/owner': good('i/owner', { owner: 42 }),
    };
    const text = `${JSON.stringify({ version: 1, certificates }, null, 2)}\n`;
    await writeFile(path, text);
    const store = new FileStateStore(path);
    const unusable: UnusableHistory[] = [];
    const loaded = await store.load([...Object.keys(certificates), 'z/never'], {
      onUnusable: (entry) => unusable.push(entry),
    });
    expect([...loaded.keys()]).toEqual(['a/ok', 'b/legacy-unknown']);
    expect(loaded.get('b/legacy-unknown')).toMatchObject({ rung: 'unknown', notAfterMs: null });
    expect(unusable).toEqual([
      { certificateKey: 'c/state', problem: 'has a state other than "sending", "digested" or "sent"' },
      { certificateKey: 'd/rung', problem: 'has no rung' },
      {
        certificateKey: 'e/not-after',
        problem: 'has a notAfter that is neither an ISO 8601 instant nor null (no known expiry)',
      },
      { certificateKey: 'f/at', problem: 'has at that is not an ISO 8601 instant' },
      { certificateKey: 'g/not-object', problem: 'is not an object' },
      { certificateKey: 'h/moved', problem: 'has a certificateKey other than the key it is stored under' },
      { certificateKey: 'i/owner', problem: 'has an owner that is not a string' },
    ]);
    expect(JSON.stringify(unusable)).not.toContain('SECRET');
    // Reading changed nothing on disk.
    expect(await readFile(path, 'utf8')).toBe(text);

    // The usable history holds: the legacy "" is the same no known expiry as null.
    expect(
      await store.claim({ ...CLAIM, certificateKey: 'a/ok', nowMs: Date.parse('2026-11-24T12:00:00Z') }),
    ).toBe(false);
    const unknown = { ...CLAIM, certificateKey: 'b/legacy-unknown', rung: 'unknown', notAfterMs: null };
    expect(await store.claim(unknown)).toBe(false);
    // A skipped entry costs its certificate one more alert: the claim wins and replaces it.
    expect(await store.claim({ ...CLAIM, certificateKey: 'c/state' })).toBe(true);
    await store.forget('d/rung');

    // The other skipped entries stay in the file as they were, for a person to look at; a new store says so again.
    const document = JSON.parse(await readFile(path, 'utf8'));
    for (const key of ['e/not-after', 'f/at', 'g/not-object', 'h/moved', 'i/owner']) {
      expect(document.certificates[key]).toEqual(certificates[key]);
    }
    expect(document.certificates['d/rung']).toBeUndefined();
    expect(document.certificates['c/state']).toMatchObject({ rung: 'd30', state: 'sending' });
    const again: UnusableHistory[] = [];
    const reloaded = await new FileStateStore(path).load(Object.keys(certificates), {
      onUnusable: (entry) => again.push(entry),
    });
    expect(again.map((entry) => entry.certificateKey)).toEqual([
      'e/not-after',
      'f/at',
      'g/not-object',
      'h/moved',
      'i/owner',
    ]);
    expect([...reloaded.keys()].sort()).toEqual(['a/ok', 'b/legacy-unknown', 'c/state']);
  });

  it('writes no known expiry as null, and reads it back as null', async () => {
    const path = join(directory, 'state.json');
    const unknown = { ...CLAIM, rung: 'unknown', notAfterMs: null };
    expect(await new FileStateStore(path).claim(unknown)).toBe(true);
    const written = JSON.parse(await readFile(path, 'utf8')).certificates[CLAIM.certificateKey];
    expect(written).toMatchObject({ rung: 'unknown', notAfter: null });
    const loaded = await new FileStateStore(path).load([CLAIM.certificateKey]);
    expect(loaded.get(CLAIM.certificateKey)).toEqual<AlertHistory>({
      certificateKey: CLAIM.certificateKey,
      rung: 'unknown',
      notAfterMs: null,
      state: 'sending',
      atMs: Date.parse('2026-11-23T12:00:00.000Z'),
      leaseUntilMs: Date.parse('2026-11-23T12:01:00.000Z'),
    });
  });

  it('refuses a file from a newer certwatch rather than overwriting it', async () => {
    const path = join(directory, 'state.json');
    await writeFile(path, '{"version": 2, "certificates": {}}');
    await expect(new FileStateStore(path).load([])).rejects.toThrow(
      /written by a newer certwatch \(version 2; this one reads version 1\)/,
    );
  });

  it('names the file when it cannot be read', async () => {
    const path = join(directory, 'is-a-directory');
    await mkdir(path);
    await expect(new FileStateStore(path).load(['k'])).rejects.toThrow(
      new RegExp(`Could not read the alert state file ${path}: .*EISDIR`),
    );
  });

  it('reports a failed write, then starts again from the file as it is on disk', async () => {
    const stateDirectory = join(directory, 'state');
    const path = join(stateDirectory, 'state.json');
    const store = new FileStateStore(path);
    expect(await store.claim(CLAIM)).toBe(true);
    // A file where the directory was: the temporary file cannot be created.
    await rm(stateDirectory, { recursive: true });
    await writeFile(stateDirectory, 'in the way');
    const error = await store
      .confirm(CLAIM.certificateKey, 'd30', CLAIM.nowMs)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toMatch(`Could not write the alert state file ${path}`);
    await rm(stateDirectory);
    // Had the store kept its unwritten change, this would see a confirmed alert and refuse.
    expect(await store.claim(CLAIM)).toBe(true);
  });

  it('writes the file readable by its owner only, and keeps a mode its owner chose', async () => {
    const previous = process.umask(0o022);
    try {
      const path = join(directory, 'state.json');
      await new FileStateStore(path).claim(CLAIM);
      expect(((await stat(path)).mode & 0o777).toString(8)).toBe('600');
      await chmod(path, 0o640);
      await new FileStateStore(path).confirm(CLAIM.certificateKey, 'd30', CLAIM.nowMs);
      expect(((await stat(path)).mode & 0o777).toString(8)).toBe('640');
    } finally {
      process.umask(previous);
    }
  });

  it('refuses to write through a symbolic link, naming it and what to do, and leaves its target alone', async () => {
    const target = join(directory, 'kept-elsewhere.json');
    await writeFile(target, '');
    const link = join(directory, 'state.json');
    await symlink(target, link);
    const error = await new FileStateStore(link).claim(CLAIM).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateStoreError);
    expect((error as Error).message).toBe(
      `Could not write the alert state file ${link}: ${link} is a symbolic link (to ${target}): certwatch ` +
        'replaces files whole and does not write through links. Name the file itself, or remove the link.',
    );
    expect(await readFile(target, 'utf8')).toBe('');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('keeps serving after a failed operation', async () => {
    const store = new FileStateStore(join(directory, 'state.json'));
    await expect(store.claim({ ...CLAIM, nowMs: Number.NaN })).rejects.toThrow(StateStoreError);
    expect(await store.claim(CLAIM)).toBe(true);
  });
});

describe('FileStateStore and files of older versions', () => {
  it('reads their instants as epoch ms, and writes an unchanged entry back as it was read', async () => {
    const path = join(directory, 'state.json');
    const old = {
      certificateKey: 'a/old',
      rung: 'd30',
      notAfter: '2026-12-20T08:00:00+08:00',
      state: 'sent',
      at: '2026-11-23T12:00:00Z',
      leaseUntil: '2026-11-23T12:15:00.000Z',
    };
    await writeFile(path, JSON.stringify({ version: 1, certificates: { 'a/old': old } }));
    const store = new FileStateStore(path);
    expect((await store.load(['a/old'])).get('a/old')).toEqual<AlertHistory>({
      certificateKey: 'a/old',
      rung: 'd30',
      notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
      state: 'sent',
      atMs: Date.parse('2026-11-23T12:00:00Z'),
      leaseUntilMs: Date.parse('2026-11-23T12:15:00Z'),
    });
    // The same certificate at the same expiry: refused, as before.
    expect(
      await store.claim({
        ...CLAIM,
        certificateKey: 'a/old',
        notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
      }),
    ).toBe(false);
    // Another certificate changes the file; the old entry keeps its text.
    expect(await store.claim(CLAIM)).toBe(true);
    const document = JSON.parse(await readFile(path, 'utf8'));
    expect(document.certificates['a/old']).toEqual(old);
    expect(document.certificates[CLAIM.certificateKey]).toEqual({
      certificateKey: CLAIM.certificateKey,
      rung: 'd30',
      notAfter: '2026-12-20T00:00:00Z',
      state: 'sending',
      at: '2026-11-23T12:00:00.000Z',
      leaseUntil: '2026-11-23T12:01:00.000Z',
    });
  });
});
