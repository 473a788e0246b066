/** Runs the CLI in-process with captured output. */
import type { CliIo } from '../../cli/io';
import { runCli } from '../../cli/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `io` replaces parts of the CLI's world: `untilStopped` resolving at once stops a long-running command. */
export async function runCertwatch(
  argv: string[],
  env: Record<string, string | undefined>,
  files: Record<string, string | Buffer> = {},
  io: Partial<Pick<CliIo, 'clock' | 'untilStopped'>> = {},
): Promise<CliRun> {
  const read = async (path: string): Promise<Buffer> => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return Buffer.from(content);
  };
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
    readFile: async (path) => (await read(path)).toString('utf8'),
    readBytes: read,
    untilStopped: () => new Promise(() => {}),
    ...io,
  });
  return { code, ...out };
}
