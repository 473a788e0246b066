/**
 * lib/atomicFile.ts on real files in a temporary folder: what a new file and a rewrite are allowed to expose, and a
 * symbolic link at the target refused with the target left as it was.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../lib/atomicFile';
import { CertwatchError } from '../../lib/errors';
import { modeOf, tempDirPerTest } from '../helpers/tempDir';

const dir = tempDirPerTest('certwatch-atomic-');

describe('writeFileAtomically', () => {
  it('creates a new file readable by its owner only, and its new directory likewise', async () => {
    const path = join(dir.path, '.certwatch', 'alert-state.json');
    await writeFileAtomically(path, '{"version":1}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"version":1}\n');
    expect(modeOf(path)).toBe('600');
    expect(modeOf(join(dir.path, '.certwatch'))).toBe('700');
    expect(readdirSync(join(dir.path, '.certwatch'))).toEqual(['alert-state.json']);
  });

  it('keeps a 0600 file at 0600 when it replaces it', async () => {
    const path = join(dir.path, 'audit.csv');
    writeFileSync(path, 'first\n');
    chmodSync(path, 0o600);
    await writeFileAtomically(path, 'second\n');
    expect(readFileSync(path, 'utf8')).toBe('second\n');
    expect(modeOf(path)).toBe('600');
  });

  it('keeps the mode a user chose (0640 for a group, 0644 for a web server), whatever the umask', async () => {
    const shared = join(dir.path, 'audit.html');
    writeFileSync(shared, 'old');
    chmodSync(shared, 0o640);
    await writeFileAtomically(shared, 'new');
    expect(readFileSync(shared, 'utf8')).toBe('new');
    expect(modeOf(shared)).toBe('640');

    const published = join(dir.path, 'certs.ics');
    writeFileSync(published, 'old');
    chmodSync(published, 0o644);
    process.umask(0o077);
    await writeFileAtomically(published, 'new');
    expect(modeOf(published)).toBe('644');
  });

  it('keeps the owner and group of the file it replaces, so a group-readable mode names the same group', async () => {
    const path = join(dir.path, 'audit.html');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    // Another owner and group as root (CI); else another of this user's groups. A user in one group only can
    // give the file no other group: the file's own ids must survive all the same.
    const root = process.getuid?.() === 0;
    const otherGroup = process.getgroups?.().find((gid) => gid !== process.getegid?.());
    const group = root ? 1 : (otherGroup ?? process.getegid!());
    const owner = root ? 1 : process.getuid!();
    chownSync(path, owner, group);
    await writeFileAtomically(path, 'new');
    const replaced = statSync(path);
    expect([replaced.uid, replaced.gid, (replaced.mode & 0o777).toString(8)]).toEqual([owner, group, '640']);
  });

  it('refuses a symbolic link at the target, naming it and saying what to do, and leaves both files alone', async () => {
    const target = join(dir.path, 'elsewhere.txt');
    writeFileSync(target, 'not certwatch’s\n');
    chmodSync(target, 0o644);
    const link = join(dir.path, 'audit.csv');
    symlinkSync(target, link);
    const error = await writeFileAtomically(link, 'report\n').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CertwatchError);
    expect((error as Error).message).toBe(
      `${link} is a symbolic link (to ${target}): certwatch replaces files whole and does not write through ` +
        'links. Name the file itself, or remove the link.',
    );
    expect(readFileSync(target, 'utf8')).toBe('not certwatch’s\n');
    expect(modeOf(target)).toBe('644');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir.path).sort()).toEqual(['audit.csv', 'elsewhere.txt']);
  });

  it('refuses to replace what is not a regular file, such as a named pipe or a directory', async () => {
    const pipe = join(dir.path, 'alerts.pipe');
    execFileSync('mkfifo', [pipe]);
    await expect(writeFileAtomically(pipe, 'report')).rejects.toThrow(
      `${pipe} is not a regular file: certwatch replaces files whole, which would replace it. Name a file.`,
    );
    expect(lstatSync(pipe).isFIFO()).toBe(true);
    await expect(writeFileAtomically(dir.path, 'report')).rejects.toThrow(
      `${dir.path} is not a regular file`,
    );
    expect(readdirSync(dir.path)).toEqual(['alerts.pipe']);
  });

  it('refuses a dangling symbolic link too, creating nothing where it points', async () => {
    const link = join(dir.path, 'state.json');
    symlinkSync(join(dir.path, 'created-by-nobody.json'), link);
    await expect(writeFileAtomically(link, '{}')).rejects.toThrow(/state\.json is a symbolic link/);
    expect(readdirSync(dir.path)).toEqual(['state.json']);
  });
});
