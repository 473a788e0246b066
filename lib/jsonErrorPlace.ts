/**
 * Where a JSON.parse error is, in words that quote none of the text: V8's messages quote the text around the
 * error (`Unexpected token 'S', ..."ficates": SECRET-TEX"... is not valid JSON`), and a configuration or state
 * file may hold a key or anything else someone pasted into it.
 */

/**
 * `near line 3, column 17` for a JSON.parse error that gives its position; `check its syntax` when it gives none
 * (Node 20 names no position for an unexpected token). Never any of the text itself.
 */
export function jsonErrorPlace(text: string, error: unknown): string {
  const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return 'check its syntax';
  const before = text.slice(0, Number(position)).split('\n');
  return `near line ${before.length}, column ${(before[before.length - 1]?.length ?? 0) + 1}`;
}
