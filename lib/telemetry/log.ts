/**
 * Structured logs: one JSON object per line, so CloudWatch Logs Insights can filter on any field
 * (`filter scanId = "..."`). Every line of a run carries its scan id. Whatever the caller passes, a PEM block or a
 * field named like a secret is withheld before the line is written: the log is the easiest place to leak a key.
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
    const entry = {
      timestamp: new Date(this.clock()).toISOString(),
      level,
      message: withheld('message', message),
      ...sanitized({ ...this.fields, ...fields }),
    };
    this.write(`${JSON.stringify(entry)}\n`);
  }
}

/** Field names whose values are never logged, whatever they hold. */
const SECRET_NAME = /secret|private|password|passphrase|token|credential|signature|accesskey/i;
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
/** Deep enough for every shape certwatch logs; deeper objects are cut rather than walked. */
const MAX_DEPTH = 6;

function sanitized(fields: LogFields, depth = 0): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = SECRET_NAME.test(key) ? '[withheld]' : clean(key, value, depth);
  }
  return out;
}

function clean(key: string, value: unknown, depth: number): unknown {
  if (typeof value === 'string') return withheld(key, value);
  if (value instanceof Error) return errorFields(value, depth);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => clean(key, item, depth + 1));
  return sanitized(value as LogFields, depth + 1);
}

function withheld(key: string, text: string): string {
  return PEM_BLOCK.test(text) ? `[${key} withheld: it contains a PEM block]` : text;
}

/** An error as fields: name, message, the stack for whoever debugs the function, and the cause chain. */
function errorFields(error: Error, depth: number): LogFields {
  const fields: LogFields = { name: error.name, message: error.message, stack: error.stack };
  if (error.cause !== undefined && depth < MAX_DEPTH) fields.cause = clean('cause', error.cause, depth + 1);
  return sanitized(fields, depth + 1);
}
