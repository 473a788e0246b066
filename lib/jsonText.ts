/**
 * Where a JSON text goes wrong, in words that quote none of it. V8's JSON.parse messages quote the text around the
 * error (`Unexpected token 'S', ..."ficates": SECRET-TEX"... is not valid JSON`) and on Node 20 often give no
 * position, and a configuration, state or rules file may hold a key or anything else someone pasted into it. One
 * strict reader serves every file certwatch reads as JSON: the rules file (which also refuses a repeated key) and,
 * after JSON.parse has refused a text, the state file and `--config`.
 */

export class JsonSyntaxError {
  constructor(
    readonly offset: number,
    readonly what: string,
  ) {}
}

const JSON_LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const JSON_MAX_DEPTH = 100;

/**
 * Where strict JSON first goes wrong, in words that never quote the text (V8's messages do, and often give no
 * position); null when the text is valid. Unless told to allow it, also refuses a repeated key, which JSON.parse
 * silently resolves to the last one (in a rules file, a second `match` would widen a mute).
 */
export function jsonSyntaxError(
  text: string,
  options: { repeatedKeys: 'refuse' | 'allow' } = { repeatedKeys: 'refuse' },
): JsonSyntaxError | null {
  let i = 0;
  const stop = (what: string, at = i): never => {
    throw new JsonSyntaxError(
      at,
      at >= text.length ? 'the text ends too early (a closing bracket is missing)' : what,
    );
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const closing = (after: 'comma' | 'start', close: string): boolean => {
    if (text[i] !== close) return false;
    if (after === 'comma') stop('a comma before a closing bracket (JSON allows no trailing comma)');
    i++;
    return true;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') return text.slice(start, ++i);
      if (c === '\\') {
        if (!/^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/.test(text.slice(i + 1, i + 6)))
          stop('a bad escape in a string');
        i += text[i + 1] === 'u' ? 6 : 2;
      } else if (c < ' ') {
        stop('a control character (such as a tab or a line break) inside a string');
      } else {
        i++;
      }
    }
    return stop('a string is not closed', start);
  };
  const value = (depth: number): void => {
    space();
    if (depth > JSON_MAX_DEPTH) stop('nested too deeply');
    const c = text[i];
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      for (let after: 'comma' | 'start' = 'start'; ; after = 'comma') {
        space();
        if (closing(after, '}')) return;
        if (text[i] !== '"') stop('expected a key in double quotes');
        const keyAt = i;
        const key = JSON.parse(string()) as string;
        if (options.repeatedKeys === 'refuse' && keys.has(key))
          stop('a key is repeated in the same object', keyAt);
        keys.add(key);
        space();
        if (text[i] !== ':') stop('expected ":" after a key');
        i++;
        value(depth + 1);
        space();
        if (text[i] === '}') return void i++;
        if (text[i] !== ',') stop('expected "," or "}"');
        i++;
      }
    }
    if (c === '[') {
      i++;
      for (let after: 'comma' | 'start' = 'start'; ; after = 'comma') {
        space();
        if (closing(after, ']')) return;
        value(depth + 1);
        space();
        if (text[i] === ']') return void i++;
        if (text[i] !== ',') stop('expected "," or "]"');
        i++;
      }
    }
    if (c === '"') return void string();
    if (c === '/' || c === '#') stop('comments are not allowed in JSON');
    JSON_LITERAL.lastIndex = i;
    const literal = JSON_LITERAL.exec(text);
    if (!literal)
      stop('expected a value (a string in double quotes, a number, an object, a list, true, false or null)');
    i = JSON_LITERAL.lastIndex;
  };
  try {
    value(0);
    space();
    if (i < text.length) {
      stop(
        text[i] === '/' || text[i] === '#'
          ? 'comments are not allowed in JSON'
          : 'more text after the end of the JSON value',
      );
    }
    return null;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
}

/**
 * `near line 3, column 17`: where a text JSON.parse refused first goes wrong, never any of the text itself;
 * `check its syntax` should the strict reader find nothing wrong with it.
 */
export function jsonErrorPlace(text: string): string {
  // JSON.parse takes a repeated key: it is not what it refused.
  const error = jsonSyntaxError(text, { repeatedKeys: 'allow' });
  if (!error) return 'check its syntax';
  const before = text.slice(0, error.offset).split('\n');
  return `near line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}

/** One-based line number of a character offset; an error found at the very end is put on the last line of text. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.trimEnd().length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
