/** Strict option parsing for the commands. */
import { parseArgs } from 'node:util';
import { UsageError } from '../lib/errors';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

/** Strict option parsing: an unknown or malformed option is a UsageError naming it. */
export function parse<T extends OptionSpec>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
}
