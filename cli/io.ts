/** What the CLI touches of the outside world, injectable so tests run it in-process. */
import type { TextStream } from '../lib/channels/console';

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: TextStream;
  stderr: TextStream;
  /** Progress is drawn only on a terminal. */
  stderrIsTTY: boolean;
  clock: () => number;
  readFile: (path: string) => Promise<string>;
  readBytes: (path: string) => Promise<Buffer>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); used by long-running commands. */
  untilStopped: () => Promise<void>;
}

/** Writes text and resolves once the stream took it. */
export function write(stream: TextStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
