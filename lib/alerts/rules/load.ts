/**
 * A rules file's text to validated rules: the format chosen by the file's name (or its first character), JSON
 * read strictly (parse.ts), YAML by the yaml package, loaded only when a YAML file is read.
 */
import { ConfigError } from '../../errors';
import { lineOf } from '../../jsonText';
import { type Rules, readJson, rulesFromValue } from './parse';

/**
 * Reads a rules file. The format follows the extension (`.json`, `.yaml`, `.yml`); otherwise text starting with
 * `{` or `[` is JSON and anything else YAML. `fileName` names the file in messages.
 *
 * Rejects with ConfigError listing every problem at once, each as `<file>: <path>: <what is wrong>`. Syntax errors
 * give only the line (never the file's text: it could hold a secret pasted by mistake). Asynchronous only because
 * the YAML parser is loaded on first use (readYaml).
 */
export async function parseRules(fileText: string, fileName: string): Promise<Rules> {
  const problems: string[] = [];
  const text = fileText.replace(/^\uFEFF/, ''); // editors on Windows save UTF-8 with a byte-order mark
  const value = isJson(text, fileName)
    ? readJson(text, fileName, problems)
    : await readYaml(text, fileName, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return rulesFromValue(value, fileName);
}

function isModuleNotFound(error: unknown): boolean {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

function isJson(text: string, fileName: string): boolean {
  const name = fileName.toLowerCase();
  if (name.endsWith('.json')) return true;
  if (name.endsWith('.yaml') || name.endsWith('.yml')) return false;
  return /^\s*[{[]/.test(text);
}

async function readYaml(text: string, fileName: string, problems: string[]): Promise<unknown> {
  // Imported here, not at the top: most deployments have no rules file or a JSON one. The Lambda bundle leaves
  // the parser out (serverless.yml: it was a third of the bundle), so there it is not found.
  let parseDocument: typeof import('yaml').parseDocument;
  try {
    ({ parseDocument } = await import('yaml'));
  } catch (error) {
    if (!isModuleNotFound(error)) throw error;
    problems.push(
      `${fileName}: YAML rules are read by the certwatch CLI; the Lambda function reads JSON rules only: convert ` +
        'the file to JSON (same keys and values)',
    );
    return undefined;
  }
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  for (const error of document.errors) {
    const what = YAML_ERRORS[error.code] ?? `syntax error ${error.code}`;
    problems.push(`${fileName}: line ${lineOf(text, error.pos[0])}: not valid YAML: ${what}`);
  }
  if (document.errors.length > 0) return undefined;
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Not in document.errors but thrown here (a ReferenceError): an alias whose anchor is not set before it, or
    // aliases that expand too far. Said in words of our own: the parser's message quotes the text.
    const tooMany = error instanceof Error && /alias count/i.test(error.message);
    problems.push(
      `${fileName}: not valid YAML: ${tooMany ? 'aliases (*name) expand too far; write the values out' : 'an alias (*name) refers to no anchor (&name) set before it; quote a value that starts with *'}`,
    );
    return undefined;
  }
}

/** Plain words for the YAML parser's error codes: its own messages quote the text, which we must not echo. */
const YAML_ERRORS: Readonly<Record<string, string>> = {
  BAD_INDENT: 'bad indentation',
  TAB_AS_INDENT: 'tabs are not allowed as indentation',
  DUPLICATE_KEY: 'a key is repeated in the same object',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  MULTIPLE_DOCS: 'more than one document (---): keep one',
  BLOCK_AS_IMPLICIT_KEY: 'nested mapping on one line (quote values that contain ": ")',
  MULTILINE_IMPLICIT_KEY: 'a key spans more than one line',
  UNEXPECTED_TOKEN: 'unexpected character',
  TAG_RESOLVE_FAILED: 'a value does not fit its tag',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
  BAD_DQ_ESCAPE: 'bad escape in a double-quoted string',
  BAD_ALIAS: 'bad alias',
  KEY_OVER_1024_CHARS: 'a key is longer than 1024 characters',
};
