/** Process entry of the `certwatch` command: real I/O around runCli. */
import { readFile } from 'node:fs/promises';
import { runCli } from './main';

const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', resolve);
  process.once('SIGTERM', resolve);
});

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  stderrIsTTY: process.stderr.isTTY === true,
  clock: Date.now,
  readFile: (path) => readFile(path, 'utf8'),
  readBytes: (path) => readFile(path),
  untilStopped: () => stopped,
});
process.exitCode = code;
// Nothing else is left to wait for (the emulator closes its sockets); exit even if a signal listener lingers.
process.exit(code);
