import { describe, expect, it } from 'vitest';
import { markdownCell, renderMarkdown } from '../../../lib/report/markdown';
import { compareUrgency } from '../../../lib/report/order';
import { hostileReport } from '../../helpers/hostileReport';
import { cert, failure, report } from '../../helpers/reports';

/** A table row's cells: split on `|` not preceded by a backslash, then undo the cell escaping. */
function cells(line: string): string[] {
  expect(line).toMatch(/^\| .* \|$/);
  return line
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((cell) => cell.replace(/<br>/g, '\n').replace(/\\(.)/g, '$1'));
}

describe('renderMarkdown', () => {
  it('has one table row per certificate, most urgent first, every hostile cell intact and inert', () => {
    const source = hostileReport();
    const lines = renderMarkdown(source).trimEnd().split('\n');
    const header = lines.findIndex((line) => line.startsWith('| Status |'));
    expect(lines[header + 1]).toMatch(/^\| (--- \| )+--- \|$/);
    const rows = lines.slice(header + 2);
    expect(rows).toHaveLength(source.certificates.length);
    const columns = cells(lines[header]!);
    const sorted = [...source.certificates].sort(compareUrgency);
    rows.forEach((row, i) => {
      const record = sorted[i]!;
      const parsed = cells(row);
      expect(parsed).toHaveLength(columns.length);
      const at = (title: string) => parsed[columns.indexOf(title)];
      expect(at('Status')).toBe(record.status);
      expect(at('Name')).toBe(record.name.replace(/\r\n|\r/g, '\n'));
      expect(at('ID')).toBe(record.id);
      expect(at('Days left')).toBe(record.daysLeft === null ? '' : String(record.daysLeft));
      expect(at('Domains')).toBe(record.domains.join(', '));
      // Nothing a renderer could read as markup, or as a new cell or row, survives unescaped.
      for (const raw of row.slice(2, -2).split(/(?<!\\) \| /)) {
        expect(raw.replace(/\\./g, '').replace(/<br>/g, '')).not.toMatch(/[<>`*_[\]~&|\\]/);
      }
      expect(row).not.toMatch(/[\r\n]/);
    });
    const markdown = renderMarkdown(source);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('\\<script\\>alert(1)\\</script\\>');
    expect(markdown).toContain('pipe \\| in \\| name');
    expect(markdown).toContain('two<br>lines');
  });

  it('starts with a summary: counts by status and whether the scan is complete', () => {
    const text = renderMarkdown(report([cert(), cert({ id: 'x', status: 'expired', daysLeft: -3 })]));
    expect(text.split('\n')[0]).toBe(
      '2 certificates at 2026-11-23T05:00:00Z: 1 expired, 0 critical, 0 warning, 0 unknown, 1 ok. Scan complete.',
    );
    expect(text).not.toContain('INCOMPLETE');
  });

  it('lists the sources that failed, escaped, when the scan is incomplete', () => {
    const text = renderMarkdown(report([cert()], [failure({ message: 'HTTP 503 <upstream> | retry' })]));
    expect(text).toContain('Scan INCOMPLETE.');
    expect(text).toContain('**Could not check 1 source(s) — this report is INCOMPLETE:**');
    expect(text).toContain('- ucloud/ulb cn-sh2 org-x: HTTP 503 \\<upstream\\> \\| retry');
  });

  it('escapes the characters that would break a cell or start markup', () => {
    expect(markdownCell('a|b')).toBe('a\\|b');
    expect(markdownCell('x\r\ny\rz\nw')).toBe('x<br>y<br>z<br>w');
    expect(markdownCell('*.example.com')).toBe('\\*.example.com');
    expect(markdownCell('[a](javascript:x) `c` &lt; back\\slash')).toBe(
      '\\[a\\](javascript:x) \\`c\\` \\&lt; back\\\\slash',
    );
    expect(markdownCell('ssl-1 #2 +3')).toBe('ssl-1 #2 +3');
  });
});
