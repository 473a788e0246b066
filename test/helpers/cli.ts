/** Runs the CLI in-process with captured output. */
import { runCli } from '../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCertwatch(
  argv: string[],
  env: Record<string, string | undefined>,
  files: Record<string, string> = {},
): Promise<CliRun> {
  const out = { stdout: '', stderr: '' };
  const capture = (name: 'stdout' | 'stderr') => ({
    write(chunk: string, callback: (error?: Error | null) => void) {
      out[name] += chunk;
      callback();
      return true;
    },
  });
  const code = await runCli(argv, {
    env,
    stdout: capture('stdout'),
    stderr: capture('stderr'),
    stderrIsTTY: false,
    clock: Date.now,
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
    untilStopped: () => new Promise(() => {}),
  });
  return { code, ...out };
}
