/**
 * Prints digests to a stream: the sink for local runs and for deployments without an SNS topic, where the text
 * lands in the function's log.
 */
import { AlertDeliveryError } from '../errors';
import type { Digest } from './digest';
import type { AlertSink } from './sink';

/** The one method of a writable stream this sink uses; process.stdout, a file stream or a test buffer. */
export interface TextStream {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
}

export class ConsoleSink implements AlertSink {
  readonly name = 'console';
  readonly #stream: TextStream;

  constructor(stream: TextStream = process.stdout) {
    this.#stream = stream;
  }

  /** Writes the subject, a rule and the body; resolves when the stream has taken the text. */
  publishDigest(digest: Digest): Promise<void> {
    const text = `Subject: ${digest.subject}\n${'-'.repeat(72)}\n${digest.body.replace(/\n?$/, '\n')}`;
    const fail = (error: unknown) =>
      new AlertDeliveryError(
        `Could not write the digest to the console: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    return new Promise((resolve, reject) => {
      try {
        this.#stream.write(text, (error) => (error ? reject(fail(error)) : resolve()));
      } catch (error) {
        reject(fail(error));
      }
    });
  }
}
