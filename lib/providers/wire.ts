/** Reading fields of unchecked wire JSON, the same way in every provider's mapper. */

/** A string field trimmed, a number as text, anything else empty. */
export function wireText(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

export function isWireObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Non-empty strings, each once, in first-seen order. */
export function uniqueNames(items: string[]): string[] {
  return [...new Set(items.filter((item) => item !== ''))];
}

/** A SHA-1 fingerprint in any case, with or without colons, as lowercase hex; null unless it is one. */
export function wireSha1(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const hex = value.replaceAll(':', '').trim().toLowerCase();
  return /^[0-9a-f]{40}$/.test(hex) ? hex : null;
}
