import { describe, expect, it } from 'vitest';
import { toIsoUtc } from '../../../lib/expiry/instant';
import { foldLine, icsText, icsUid, renderIcs } from '../../../lib/report/ics';
import { hostileReport } from '../../helpers/hostileReport';
import { type IcsComponent, parseIcs, prop, unescapeText } from '../../helpers/icalendar';
import { cert, report } from '../../helpers/reports';

const LADDER = [30, 14, 7, 3, 1];
const text = (event: IcsComponent, name: string) => unescapeText(prop(event, name).value);
/** TEXT has one kind of line break: CRLF and CR in provider text come back as LF. */
const lf = (value: string) => value.replace(/\r\n|\r/g, '\n');

describe('renderIcs', () => {
  it('round-trips a hostile fleet: one all-day event per known expiry, with the facts of the JSON report', () => {
    const source = hostileReport();
    const ics = renderIcs(source, { alarmDays: LADDER });
    const calendar = parseIcs(ics);
    expect(calendar.type).toBe('VCALENDAR');
    expect(prop(calendar, 'VERSION').value).toBe('2.0');
    expect(prop(calendar, 'CALSCALE').value).toBe('GREGORIAN');
    expect(prop(calendar, 'PRODID').value).toMatch(/certwatch/);

    const dated = source.certificates.filter((c) => c.notAfterMs !== null);
    expect(dated.length).toBeLessThan(source.certificates.length);
    const events = calendar.components.filter((c) => c.type === 'VEVENT');
    expect(events).toHaveLength(dated.length);
    expect(new Set(events.map((e) => prop(e, 'UID').value)).size).toBe(events.length);

    dated.forEach((record, i) => {
      const event = events[i]!;
      const notAfter = toIsoUtc(record.notAfterMs!);
      const day = notAfter.slice(0, 10);
      expect(prop(event, 'UID').value).toMatch(/^[0-9a-f]{40}@certwatch$/);
      expect(prop(event, 'DTSTAMP').value).toBe('20261123T050007Z');
      expect(prop(event, 'DTSTART')).toEqual({
        name: 'DTSTART',
        params: { VALUE: 'DATE' },
        value: day.replaceAll('-', ''),
      });
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      expect(prop(event, 'DTEND').value).toBe(next.replaceAll('-', ''));
      const where = `(${record.provider} ${record.service} ${record.region})`;
      expect(text(event, 'SUMMARY')).toBe(
        record.status === 'expired'
          ? `EXPIRED: certificate ${lf(record.name)} expired ${where}`
          : `certificate ${lf(record.name)} expires ${where}`,
      );
      const description = text(event, 'DESCRIPTION');
      expect(description).toContain(`Expires ${notAfter} (${record.daysLeft} days left`);
      expect(description).toContain(`Domains: ${record.domains.join(', ') || 'none'}`);
      expect(description).toContain(`id ${record.id}`);
      if (record.inUse) expect(description).toContain(`Bound to: ${lf(record.boundTo.join('; '))}`);
      if (record.fingerprintSha256) expect(description).toContain(record.fingerprintSha256);
      for (const note of record.notes) expect(description).toContain(lf(note));

      const alarms = event.components.filter((c) => c.type === 'VALARM');
      const rung = LADDER.find((d) => record.notAfterMs! - d * 86_400_000 > source.nowMs);
      if (record.status === 'expired' || rung === undefined) {
        expect(alarms).toEqual([]);
      } else {
        expect(alarms).toHaveLength(1);
        expect(prop(alarms[0]!, 'ACTION').value).toBe('DISPLAY');
        expect(prop(alarms[0]!, 'TRIGGER').value).toBe(`-P${rung}D`);
        expect(text(alarms[0]!, 'DESCRIPTION')).toContain(lf(record.name));
      }
    });
    expect(events.some((e) => e.components.length === 1)).toBe(true);
    expect(events.filter((e) => text(e, 'SUMMARY').startsWith('EXPIRED:')).length).toBeGreaterThan(5);
  });

  it('folds every line at 75 octets without splitting a character, and ends lines with CRLF', () => {
    const ics = renderIcs(hostileReport(), { alarmDays: LADDER });
    const physical = ics.slice(0, -2).split('\r\n');
    expect(physical.some((line) => line.startsWith(' '))).toBe(true);
    for (const line of physical) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
      expect(line).not.toMatch(/[\r\n]/);
    }
    const long = `SUMMARY:${'界'.repeat(40)}`;
    const folded = foldLine(long);
    expect(folded.replace(/\r\n /g, '')).toBe(long);
    expect(folded.split('\r\n').map((l) => Buffer.byteLength(l))).toEqual([74, 55]);
  });

  it('keeps a certificate’s UID across audits and gives every location its own', () => {
    const base = cert({ id: 'ssl-1', project: 'org-a' });
    const later = cert({ ...base, name: 'renamed', notAfter: '2028-01-01T00:00:00Z', daysLeft: 404 });
    expect(icsUid(later)).toBe(icsUid(base));
    expect(icsUid({ ...base, project: null })).not.toBe(icsUid(base));
    expect(icsUid({ ...base, region: 'hk' })).not.toBe(icsUid(base));
    expect(icsUid({ ...base, id: 'ssl-2' })).not.toBe(icsUid(base));
    // No join ambiguity: ("a,b", "c") and ("a", "b,c") are different places.
    expect(icsUid({ ...base, region: 'a,b', project: 'c' })).not.toBe(
      icsUid({ ...base, region: 'a', project: 'b,c' }),
    );
  });

  it('gives a certificate valid until 9999-12-31 (RFC 5280’s "no expiry") a one-day event with valid dates', () => {
    const forever = cert({ id: 'ssl-forever', notAfter: '9999-12-31T23:59:59Z', daysLeft: 2_900_000 });
    const lastButOne = cert({ id: 'ssl-eve', notAfter: '9999-12-30T12:00:00Z', daysLeft: 2_900_000 });
    const calendar = parseIcs(renderIcs(report([forever, lastButOne])));
    const events = calendar.components.filter((c) => c.type === 'VEVENT');
    const dtend = (event: IcsComponent) => event.properties.find((p) => p.name === 'DTEND')?.value;
    const dates = events.map((event) => [prop(event, 'DTSTART').value, dtend(event)]);
    expect(dates).toContainEqual(['99991231', undefined]);
    expect(dates).toContainEqual(['99991230', '99991231']);
  });

  it('escapes TEXT and leaves no control character', () => {
    expect(icsText('a\\b;c,d\ne\r\nf')).toBe('a\\\\b\\;c\\,d\\ne\\nf');
    expect(icsText('bell\u0007 tab\t')).toBe('bell\uFFFD tab\t');
    expect(unescapeText(icsText('; , \\ \n x'))).toBe('; , \\ \n x');
  });

  it('is an empty calendar when nothing has a known expiry, and has no reminders without a ladder', () => {
    const empty = parseIcs(renderIcs(report([cert({ notAfter: null, daysLeft: null, status: 'unknown' })])));
    expect(empty.components).toEqual([]);
    const plain = parseIcs(renderIcs(report([cert()])));
    expect(plain.components).toHaveLength(1);
    expect(plain.components[0]!.components).toEqual([]);
  });
});
