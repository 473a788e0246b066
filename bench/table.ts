/** A plain-text table: the first column left-aligned, the others right-aligned (they hold figures). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** 12345.6 -> "12,346"; with `digits`, that many decimals. */
export function figure(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The columns every scan table of the bench has after its first (what was scanned). */
export const SCAN_COLUMNS = [
  'certificates',
  'complete',
  'requests',
  'throttled',
  'wall s',
  'bound s',
  'wall/bound',
] as const;
