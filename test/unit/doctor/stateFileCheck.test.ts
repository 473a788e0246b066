import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type StateFileFs, stateFileCheck } from '../../../lib/doctor/stateFileCheck';

const fresh = () => mkdtempSync(join(tmpdir(), 'certwatch-doctor-'));
const run = (path: string, fs?: StateFileFs) => stateFileCheck(path, 'CERTWATCH_STATE_FILE', fs).run();

describe('stateFileCheck', () => {
  it('is OK in a writable directory before the first alert', async () => {
    const dir = fresh();
    const path = join(dir, 'state.json');
    expect(await run(path)).toEqual({
      status: 'ok',
      text:
        `state file ${path} (CERTWATCH_STATE_FILE): ${dir} is writable; no history yet (the file is written on ` +
        'the first alert)',
    });
  });

  it('says which directories will be created, and in which writable one', async () => {
    const dir = fresh();
    const path = join(dir, 'a', 'b', 'state.json');
    const result = await run(path);
    expect(result.status).toBe('ok');
    expect(result.text).toContain(`${join(dir, 'a', 'b')} will be created in ${dir}, which is writable`);
  });

  it('reads an existing state file and counts its history', async () => {
    const dir = fresh();
    const path = join(dir, 'state.json');
    const history = {
      certificateKey: 'ucloud/ulb/cn-bj2/org-a/ssl-1',
      rung: '7d',
      notAfter: '2026-12-01T00:00:00Z',
      state: 'sent',
      at: '2026-11-24T00:00:00.000Z',
      leaseUntil: '2026-11-24T00:05:00.000Z',
    };
    writeFileSync(path, JSON.stringify({ version: 1, certificates: { [history.certificateKey]: history } }));
    expect((await run(path)).text).toBe(
      `state file ${path} (CERTWATCH_STATE_FILE): ${dir} is writable; history of 1 certificate`,
    );
  });

  it('warns of entries it would skip, by key and problem, never quoting what they hold', async () => {
    const dir = fresh();
    const path = join(dir, 'state.json');
    const usable = {
      certificateKey: 'aliyun/slb/cn-shanghai/-/slb-orphan',
      rung: 'unknown',
      notAfter: null,
      state: 'sent',
      at: '2026-11-24T00:00:00.000Z',
      leaseUntil: '2026-11-24T00:05:00.000Z',
    };
    const certificates = {
      [usable.certificateKey]: usable,
      'ucloud/ulb/cn-bj2/org-a/ssl-1': {
        ...usable,
        certificateKey: 'ucloud/ulb/cn-bj2/org-a/ssl-1',
        rung: '',
      },
      'ucloud/ulb/cn-bj2/org-a/ssl-2': 'SECRET-text',
    };
    writeFileSync(path, JSON.stringify({ version: 1, certificates }));
    const result = await run(path);
    expect(result).toEqual({
      status: 'warn',
      text:
        `state file ${path} (CERTWATCH_STATE_FILE): ${dir} is writable; history of 1 certificate; 2 entries of ` +
        'the alert history cannot be used and are skipped, so their certificates may be alerted once more ' +
        '("ucloud/ulb/cn-bj2/org-a/ssl-1" has no rung; "ucloud/ulb/cn-bj2/org-a/ssl-2" is not an object): mend ' +
        'or delete them',
    });
  });

  it('fails for a corrupt file, a directory in its place, or a file where a directory should be', async () => {
    const dir = fresh();
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"version": 1, "certificates": [');
    const broken = await run(corrupt);
    expect(broken.status).toBe('fail');
    expect(broken.text).toContain(`The alert state file ${corrupt} is corrupt: it is not JSON`);

    mkdirSync(join(dir, 'taken'));
    expect(await run(join(dir, 'taken'))).toEqual({
      status: 'fail',
      text: `state file ${join(dir, 'taken')} (CERTWATCH_STATE_FILE): is not a file: set CERTWATCH_STATE_FILE to a file path`,
    });

    writeFileSync(join(dir, 'plain'), '');
    const underFile = await run(join(dir, 'plain', 'sub', 'state.json'));
    expect(underFile).toEqual({
      status: 'fail',
      text:
        `state file ${join(dir, 'plain', 'sub', 'state.json')} (CERTWATCH_STATE_FILE): ${join(dir, 'plain')} is ` +
        'not a directory, so the file cannot be created there',
    });
  });

  it('fails for a state file that is a symbolic link, naming it and what to do', async () => {
    const dir = fresh();
    const target = join(dir, 'real-state.json');
    writeFileSync(target, '{"version":1,"certificates":{}}\n');
    const link = join(dir, 'state.json');
    symlinkSync(target, link);
    expect(await run(link)).toEqual({
      status: 'fail',
      text:
        `state file ${link} (CERTWATCH_STATE_FILE): ${link} is a symbolic link (to ${target}): certwatch replaces ` +
        'its alert state file whole and does not write through links. Name the file itself, or remove the link.',
    });
  });

  it('fails naming the directory it cannot write in', async () => {
    const dir = fresh();
    const denied: StateFileFs = {
      stat,
      lstat,
      readFile: async () => '',
      access: async () => {
        throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
      },
    };
    expect(await run(join(dir, 'state.json'), denied)).toEqual({
      status: 'fail',
      text:
        `state file ${join(dir, 'state.json')} (CERTWATCH_STATE_FILE): cannot write in ${dir} (EACCES): fix its ` +
        'permissions, or set CERTWATCH_STATE_FILE to a path you can write',
    });
  });
});
