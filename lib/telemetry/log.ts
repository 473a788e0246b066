/**
 * Structured logs: one JSON object per line, so CloudWatch Logs Insights can filter on any field
 * (`filter scanId = "..."`). Every line of a run carries its scan id. Whatever the caller passes, a PEM block or a
 * field named like a secret is withheld before the line is written: the log is the easiest place to leak a key.
 * Bytes are shown by their length only. Nothing passed to it makes it throw: a log line never fails a run.
 */

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` too (the scan id, the request id). */
  child(fields: LogFields): Logger;
}

export interface JsonLoggerOptions {
  /** Receives each line, newline included (default: process.stdout). */
  write?: (line: string) => void;
  clock?: () => number;
  /** Fields on every line, e.g. `{ service: 'certwatch' }`. */
  fields?: LogFields;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  return new JsonLogger(write, options.clock ?? Date.now, options.fields ?? {});
}

class JsonLogger implements Logger {
  constructor(
    private readonly write: (line: string) => void,
    private readonly clock: () => number,
    private readonly fields: LogFields,
  ) {}

  info(message: string, fields?: LogFields): void {
    this.line('INFO', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.line('WARN', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.line('ERROR', message, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.write, this.clock, { ...this.fields, ...fields });
  }

  private line(level: LogLevel, message: string, fields: LogFields | undefined): void {
    let text: string;
    try {
      const entry = {
        timestamp: this.timestamp(),
        level,
        message: withheld('message', message),
        ...sanitized({ ...this.fields, ...fields }),
      };
      text = JSON.stringify(entry);
    } catch (error) {
      // A logger is never what fails the run: a getter that throws, say, costs the fields, not the line.
      text = JSON.stringify({
        timestamp: this.timestamp(),
        level,
        message: withheld('message', String(message)),
        logFailure: `the fields of this line could not be logged: ${error instanceof Error ? error.message : 'unknown error'}`,
      });
    }
    this.write(`${text}\n`);
  }

  /** ISO time, or the clock's raw reading when it is not a date (toISOString would throw). */
  private timestamp(): string {
    const ms = this.clock();
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
  }
}

/** Field names whose values are never logged, whatever they hold. */
const SECRET_NAME =
  /secret|private|password|passphrase|token|credential|signature|accesskey|authorization|api[-_]?key/i;
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
/** Deep enough for every shape certwatch logs; deeper objects are cut rather than walked. */
const MAX_DEPTH = 6;

/**
 * `ancestors`: the objects being walked above this one, so a circular structure is cut where it loops (an object
 * met twice side by side is logged twice).
 */
function sanitized(fields: LogFields, depth = 0, ancestors = new Set<object>()): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = SECRET_NAME.test(key) ? '[withheld]' : clean(key, value, depth, ancestors);
  }
  return out;
}

function clean(key: string, value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return withheld(key, value);
  // JSON.stringify throws on a BigInt.
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  // Bytes are opaque: walked, a Buffer is one field per byte (and a PEM in it would go unseen).
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return `<${value.constructor?.name ?? 'binary'} ${value.byteLength} bytes>`;
  }
  if (ancestors.has(value)) return '[circular]';
  if (value instanceof Error) return errorFields(value, depth, ancestors);
  if (depth >= MAX_DEPTH) return '[too deep]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => clean(key, item, depth + 1, ancestors));
    return sanitized(value as LogFields, depth + 1, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function withheld(key: string, text: string): string {
  return PEM_BLOCK.test(text) ? `[${key} withheld: it contains a PEM block]` : text;
}

/** An error as fields: name, message, the stack for whoever debugs the function, and the cause chain. */
function errorFields(error: Error, depth: number, ancestors: Set<object>): LogFields {
  ancestors.add(error);
  try {
    const fields: LogFields = { name: error.name, message: error.message, stack: error.stack };
    if (error.cause !== undefined && depth < MAX_DEPTH) {
      fields.cause = clean('cause', error.cause, depth + 1, ancestors);
    }
    return sanitized(fields, depth + 1, ancestors);
  } finally {
    ancestors.delete(error);
  }
}
