/**
 * Records as a report keeps them, for as long as a scan of 100,000 certificates runs. Text built by joining
 * pieces (`a + b`, templates: notes, bindings) is a tree of pieces in V8, about 30 bytes a piece and several
 * pieces a note; once a string is read through, V8 makes it one piece and the collector drops the tree. The
 * report's text is the same either way: this is only about memory.
 */
import type { CertificateRecord } from '../model';

/** Makes every string of `record` one piece (in place: the values and the object stay as they are). */
export function compactStrings(record: CertificateRecord): CertificateRecord {
  flatten(record.id);
  flatten(record.name);
  flatten(record.expirySource);
  if (record.certificateRef) flatten(record.certificateRef);
  for (const list of [record.domains, record.boundTo, record.notes]) {
    for (const text of list) flatten(text);
  }
  return record;
}

/** `text`, made one piece: for text joined from pieces that is kept for the length of a scan. */
export function flat(text: string): string {
  flatten(text);
  return text;
}

/** Reading a character makes V8 flatten a string made of pieces; the result is used so no compiler drops it. */
function flatten(text: string): void {
  if (text.length > 0 && text.charCodeAt(0) < 0) {
    throw new Error('unreachable: a character code is never negative');
  }
}
