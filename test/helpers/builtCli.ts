/**
 * The built `certwatch` command in its own process, as a user runs it: built once per test file into a temp
 * folder, run with only PATH and the given variables in its environment.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node args...` to completion, with only PATH and `env` in its environment. */
export function runNode(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Builds the CLI (scripts/build.mjs) into `outdir`; returns the path of `certwatch.mjs`. */
export async function buildCli(outdir: string): Promise<string> {
  const built = await runNode(['scripts/build.mjs', '--outdir', outdir]);
  if (built.code !== 0) throw new Error(`scripts/build.mjs exited ${built.code}: ${built.stderr}`);
  return join(outdir, 'certwatch.mjs');
}
