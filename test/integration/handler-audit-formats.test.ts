/**
 * The handler's audit mode with a `format`: the same report, rendered, returned as `{ format, contentType, body }`
 * — from real runs against the emulator. Without a format it still returns the report object.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler } from '../../functions/scan';
import { ConsoleSink } from '../../lib/channels/console';
import { UsageError } from '../../lib/errors';
import { CSV_COLUMNS } from '../../lib/report/csv';
import type { ReportJson } from '../../lib/report/json';
import type { RenderedReport } from '../../lib/report/render';
import { MemoryStateStore } from '../../lib/state/memory';
import { createJsonLogger } from '../../lib/telemetry/log';
import { auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { parseIcs, prop } from '../helpers/icalendar';
import { parseCsv } from '../helpers/rfc4180';

const { fleet } = auditFleet(20);
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ fleet });
});

afterAll(async () => {
  await emulator?.close();
});

function handlerWith(env: Record<string, string> = {}) {
  const logged: string[] = [];
  const handler = createHandler(
    { ...auditEnv(emulator.ucloudUrl), ...env },
    {
      sink: new ConsoleSink({
        write: (_text, callback) => {
          callback();
          return true;
        },
      }),
      store: new MemoryStateStore(),
      clock: () => NOW,
      sleep: async () => {},
      log: createJsonLogger({ write: (line) => logged.push(line) }),
      emitMetric: () => {},
    },
  );
  return { handler, logged };
}

describe('the handler audit mode with a format', () => {
  it('returns the report object without a format, and the same facts as CSV with one', async () => {
    const { handler } = handlerWith();
    const report = (await handler({ mode: 'audit' })) as ReportJson;
    expect(report.complete).toBe(true);
    expect(report.certificates.length).toBe(26);

    const csv = (await handler({ mode: 'audit', format: 'csv' })) as RenderedReport;
    expect(csv.format).toBe('csv');
    expect(csv.contentType).toBe('text/csv; charset=utf-8; header=present');
    const rows = parseCsv(csv.body);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    const at = (row: string[], column: string) => row[CSV_COLUMNS.indexOf(column)];
    expect(rows.slice(1).map((row) => [at(row, 'id'), at(row, 'notAfter'), at(row, 'status')])).toEqual(
      report.certificates.map((c) => [c.id, c.notAfter ?? '', c.status]),
    );
  });

  it('puts the reminder at the configured ladder’s first rung in the calendar', async () => {
    const { handler } = handlerWith({ CERTWATCH_THRESHOLDS: '45,10' });
    const ics = (await handler({ mode: 'audit', format: 'ics' })) as RenderedReport;
    expect(ics.contentType).toBe('text/calendar; charset=utf-8');
    const events = parseIcs(ics.body).components;
    const pemOnly = events.find((e) => prop(e, 'SUMMARY').value.includes('ssl-pem-only'))!;
    // 100 days left: the 45-day rung is ahead.
    expect(prop(pemOnly.components[0]!, 'TRIGGER').value).toBe('-P45D');
    const seconds = events.find((e) => prop(e, 'SUMMARY').value.includes('ssl-seconds'))!;
    // 20 days left: 45 has passed, 10 is next.
    expect(prop(seconds.components[0]!, 'TRIGGER').value).toBe('-P10D');
  });

  it('returns JSON text as the body when asked for json, and rejects an unknown format before scanning', async () => {
    const { handler, logged } = handlerWith();
    const json = (await handler({ mode: 'audit', format: 'json' })) as RenderedReport;
    expect(json.contentType).toBe('application/json');
    expect((JSON.parse(json.body) as ReportJson).certificates).toHaveLength(26);

    logged.length = 0;
    const failed = handler({ mode: 'audit', format: 'xml' });
    await expect(failed).rejects.toBeInstanceOf(UsageError);
    await expect(failed).rejects.toThrow(/format "xml" is not known: use table, json, csv, markdown, ics/);
    expect(logged).toEqual([]);
  });
});
