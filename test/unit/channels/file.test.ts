/**
 * FileSink (`certwatch scan --out FILE`) on real files: it appends, creates owner-only, leaves an existing file's
 * mode alone, and never appends through a symbolic link.
 */
import { chmodSync, lstatSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSink } from '../../../lib/channels/file';
import { AlertDeliveryError } from '../../../lib/errors';
import { modeOf, tempDirPerTest } from '../../helpers/tempDir';

const dir = tempDirPerTest('certwatch-file-sink-');

const DIGEST = { subject: 'certwatch: 1 certificate needs action', body: 'shop.example expires in 3 days\n' };
const ALERTS = [{ id: 'a0', message: '{"certificate":"ssl-1"}', attributes: {} }];

describe('FileSink', () => {
  it('creates the file readable by its owner only, and appends the digest and one line per alert', async () => {
    const path = join(dir.path, 'alerts.log');
    const sink = new FileSink(path);
    await sink.publishDigest(DIGEST);
    expect(await sink.publishAlerts(ALERTS)).toEqual({ sent: 1, failed: [] });
    expect(modeOf(path)).toBe('600');
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('shop.example expires in 3 days\n');
    expect(text.endsWith('{"certificate":"ssl-1"}\n')).toBe(true);
  });

  it('appends to an existing file and leaves the mode its owner chose', async () => {
    const path = join(dir.path, 'alerts.log');
    writeFileSync(path, 'earlier run\n');
    chmodSync(path, 0o640);
    await new FileSink(path).publishAlerts(ALERTS);
    expect(readFileSync(path, 'utf8')).toBe('earlier run\n{"certificate":"ssl-1"}\n');
    expect(modeOf(path)).toBe('640');
  });

  it('refuses to append through a symbolic link, naming it, and leaves the file it points to untouched', async () => {
    const target = join(dir.path, 'authorized_keys');
    writeFileSync(target, 'ssh-ed25519 AAAA... admin\n');
    const link = join(dir.path, 'alerts.log');
    symlinkSync(target, link);
    const sink = new FileSink(link);

    const error = await sink.publishDigest(DIGEST).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as Error).message).toBe(
      `Could not write the digest to ${link}: ${link} is a symbolic link (to ${target}): certwatch appends ` +
        'alerts to a file and does not write through links. Name the file itself, or remove the link.',
    );
    const result = await sink.publishAlerts(ALERTS);
    expect(result.sent).toBe(0);
    expect(result.failed).toEqual([
      { id: 'a0', code: 'FileWrite', message: expect.stringContaining(`${link} is a symbolic link`) },
    ]);
    expect(readFileSync(target, 'utf8')).toBe('ssh-ed25519 AAAA... admin\n');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a dangling symbolic link, creating nothing where it points', async () => {
    const link = join(dir.path, 'alerts.log');
    symlinkSync(join(dir.path, 'planted.log'), link);
    await expect(new FileSink(link).publishDigest(DIGEST)).rejects.toThrow(/alerts\.log is a symbolic link/);
    expect(readdirSync(dir.path)).toEqual(['alerts.log']);
  });
});
