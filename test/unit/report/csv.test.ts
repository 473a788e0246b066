import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIsoUtc } from '../../../lib/expiry/instant';
import { CSV_COLUMNS, csvField, renderCsv } from '../../../lib/report/csv';
import { hostileReport } from '../../helpers/hostileReport';
import { cert, fingerprintOf, report } from '../../helpers/reports';
import { parseCsv, unneutralise } from '../../helpers/rfc4180';

const FORMULA_START = /^[=+\-@\t\r]/;

describe('renderCsv', () => {
  it('round-trips every fact of a hostile fleet through an RFC 4180 reader', () => {
    const source = hostileReport();
    const rows = parseCsv(renderCsv(source));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(source.certificates.length + 1);
    const parsed = rows.slice(1).map((row) => {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      return Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, row[i]!]));
    });
    source.certificates.forEach((record, i) => {
      const row = parsed[i]!;
      const text = (column: string) => unneutralise(row[column]!);
      expect(text('provider')).toBe(record.provider);
      expect(text('service')).toBe(record.service);
      expect(text('region')).toBe(record.region);
      expect(text('project')).toBe(record.project ?? '');
      expect(text('id')).toBe(record.id);
      expect(text('name')).toBe(record.name);
      expect(text('domains').split(' ').filter(Boolean)).toEqual(record.domains);
      expect(text('notAfter')).toBe(record.notAfterMs === null ? '' : toIsoUtc(record.notAfterMs));
      expect(row.daysLeft).toBe(record.daysLeft === null ? '' : String(record.daysLeft));
      expect(text('status')).toBe(record.status);
      expect(text('inUse')).toBe(record.inUse === null ? '' : String(record.inUse));
      expect(text('boundTo')).toBe(record.boundTo.join('; '));
      expect(text('expirySource')).toBe(record.expirySource);
      expect(text('fingerprintSha256')).toBe(record.fingerprintSha256 ?? '');
      expect(text('notes')).toBe(record.notes.join('; '));
    });
  });

  it('neutralises every text cell a spreadsheet would run as a formula, and leaves numbers as numbers', () => {
    const source = hostileReport();
    const rows = parseCsv(renderCsv(source)).slice(1);
    const daysColumn = CSV_COLUMNS.indexOf('daysLeft');
    let neutralised = 0;
    for (const row of rows) {
      row.forEach((field, i) => {
        if (i === daysColumn) {
          expect(field).toMatch(/^(-?\d+)?$/);
        } else {
          expect(field, `column ${CSV_COLUMNS[i]}`).not.toMatch(FORMULA_START);
          if (/^'[=+\-@\t\r]/.test(field)) neutralised++;
        }
      });
    }
    expect(neutralised).toBeGreaterThanOrEqual(15);
    const expired = source.certificates.findIndex((c) => c.status === 'expired');
    expect(rows[expired]![daysColumn]).toMatch(/^-\d+$/);
    const formula = source.certificates.findIndex((c) => c.name.startsWith('=cmd'));
    expect(rows[formula]![CSV_COLUMNS.indexOf('name')]).toBe("'=cmd|' /C calc'!A0");
  });

  it('writes CRLF after every record and quotes only the fields that need it', () => {
    const text = renderCsv(
      report([cert({ name: 'a "quoted", name', notes: ['line\nbreak'], boundTo: [], project: null })]),
    );
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(3);
    const [, line] = text.split('\r\n');
    expect(line).toBe(
      'ucloud,ulb,cn-bj2,,ssl-ok,"a ""quoted"", name",ok.example.com,2027-06-01T00:00:00Z,189,ok,true,,pem:leaf,' +
        `${fingerprintOf('ssl-ok')},"line\nbreak"`,
    );
    expect(csvField('-')).toBe("'-");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });

  it('is only a header for an empty report', () => {
    expect(renderCsv(report([]))).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });

  it('round-trips any text in any text column', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (name, note) => {
        const rows = parseCsv(renderCsv(report([cert({ name, notes: [note] })])));
        expect(rows).toHaveLength(2);
        const row = rows[1]!;
        // Exactly the text, with a `'` in front when it would start a formula (so a text that already starts
        // with `'=` reads back as itself, not as a neutralised `=`).
        const stored = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
        expect(row[CSV_COLUMNS.indexOf('name')]).toBe(stored(name));
        expect(row[CSV_COLUMNS.indexOf('notes')]).toBe(stored(note));
        for (const field of row) expect(field).not.toMatch(FORMULA_START);
      }),
      { numRuns: 300 },
    );
  });
});
