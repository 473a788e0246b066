import { describe, expect, it } from 'vitest';
import { newRequestCounters } from '../../../lib/providers/source';
import { createJsonLogger } from '../../../lib/telemetry/log';
import { RunTelemetry } from '../../../lib/telemetry/run';

function telemetry() {
  const lines: Record<string, unknown>[] = [];
  const log = createJsonLogger({ write: (line) => lines.push(JSON.parse(line)) });
  const run = new RunTelemetry({
    mode: 'scheduled',
    scanId: 'scan-1',
    log,
    counters: newRequestCounters(),
    emit: () => {},
    namespace: 'certwatch',
    clock: () => 0,
  });
  return { run, lines };
}

describe('RunTelemetry.finished', () => {
  it('logs skipped alert history entries as one warning, by key and problem', () => {
    const { run, lines } = telemetry();
    const unusableHistory = [
      { certificateKey: 'aliyun/slb/cn-shanghai/-/slb-orphan', problem: 'has no rung' },
      { certificateKey: 'email#ucloud/ulb/cn-bj2/org-a/ssl-1', problem: 'has no at' },
    ];
    run.finished({ alerts: 3, digest: null, stateProblem: null, unusableHistory });
    const warnings = lines.filter((line) => line.level === 'WARN');
    expect(warnings).toEqual([
      expect.objectContaining({
        message: 'alert history entries skipped: their certificates may be alerted once more',
        unusableHistory,
        unusableCount: 2,
      }),
    ]);
  });

  it('logs no such warning when every entry was read', () => {
    const { run, lines } = telemetry();
    run.finished({ alerts: 0, digest: null, stateProblem: null, unusableHistory: [] });
    expect(lines.filter((line) => line.level === 'WARN')).toEqual([]);
  });
});
