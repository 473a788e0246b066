/** How many certificates of a report have each status, every status present (zeros included), in STATUS_ORDER. */
import { type CertificateRecord, STATUS_ORDER, type Status } from '../model';

export function countByStatus(records: readonly CertificateRecord[]): Map<Status, number> {
  const counts = new Map<Status, number>(STATUS_ORDER.map((s) => [s, 0]));
  for (const record of records) counts.set(record.status, (counts.get(record.status) ?? 0) + 1);
  return counts;
}
