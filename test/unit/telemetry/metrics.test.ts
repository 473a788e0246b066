import { describe, expect, it } from 'vitest';
import { STATUS_ORDER } from '../../../lib/model';
import {
  certificateMetrics,
  type EmfDocument,
  HEARTBEAT_METRIC,
  type RunFigures,
  runMetrics,
} from '../../../lib/telemetry/metrics';
import { cert, failure, NOW, report } from '../../helpers/reports';

const NAMESPACE = 'certwatch/test';

function figures(overrides: Partial<RunFigures> = {}): RunFigures {
  return {
    mode: 'scheduled',
    scanId: 'scan-1',
    report: report([cert(), cert({ id: 'b', status: 'expired' })], [failure()]),
    alertsSent: 2,
    apiCalls: 17,
    throttledCalls: 3,
    durationMs: 1234,
    finished: true,
    ...overrides,
  };
}

/**
 * What CloudWatch needs to extract a metric from a document (EMF specification): every declared metric and
 * dimension is a top-level member, values are numbers (or arrays of at most 100), at most 100 metrics and 30
 * dimensions per set.
 */
function expectValidEmf(document: EmfDocument): void {
  const { Timestamp, CloudWatchMetrics } = document._aws;
  expect(Number.isInteger(Timestamp)).toBe(true);
  for (const directive of CloudWatchMetrics) {
    expect(directive.Namespace).toBe(NAMESPACE);
    expect(directive.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of directive.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const name of set) expect(typeof document[name]).toBe('string');
    }
    for (const metric of directive.Metrics) {
      const value = document[metric.Name];
      const values = Array.isArray(value) ? value : [value];
      expect(values.length).toBeGreaterThan(0);
      expect(values.length).toBeLessThanOrEqual(100);
      for (const v of values) expect(Number.isFinite(v)).toBe(true);
    }
  }
}

describe('runMetrics', () => {
  it('writes the per-run figures under the Mode dimension, with a heartbeat for a finished scheduled run', () => {
    const [run, ...byStatus] = runMetrics(figures(), NAMESPACE);
    expectValidEmf(run!);
    expect(run).toMatchObject({
      Mode: 'scheduled',
      scanId: 'scan-1',
      CertificatesScanned: 2,
      SourcesFailed: 1,
      AlertsSent: 2,
      ApiCalls: 17,
      ThrottledCalls: 3,
      RunDuration: 1234,
      ScanComplete: 0,
      [HEARTBEAT_METRIC]: 1,
    });
    expect(run!._aws.Timestamp).toBe(Date.parse(NOW));
    const units = Object.fromEntries(run!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => [m.Name, m.Unit]));
    expect(units.RunDuration).toBe('Milliseconds');
    expect(units.CertificatesScanned).toBe('Count');
    for (const document of byStatus) expectValidEmf(document);
  });

  it('counts every status, zeros included, so a graph shows 0 rather than a gap', () => {
    const byStatus = runMetrics(figures(), NAMESPACE).slice(1);
    expect(byStatus.map((d) => d.Status)).toEqual([...STATUS_ORDER]);
    const count = Object.fromEntries(byStatus.map((d) => [d.Status, d.Certificates]));
    expect(count).toEqual({ expired: 1, critical: 0, warning: 0, unknown: 0, ok: 1 });
  });

  it('gives no heartbeat for an audit or for a run that could not deliver its alerts', () => {
    expect(runMetrics(figures({ mode: 'audit' }), NAMESPACE)[0]).not.toHaveProperty(HEARTBEAT_METRIC);
    const failed = runMetrics(figures({ finished: false }), NAMESPACE)[0]!;
    expect(failed).not.toHaveProperty(HEARTBEAT_METRIC);
    expect(failed._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).not.toContain(HEARTBEAT_METRIC);
  });
});

describe('certificateMetrics', () => {
  it('gives DaysToExpiry to the second per provider, service and region, negative once expired', () => {
    const documents = certificateMetrics(
      report([
        cert({ notAfter: '2026-11-24T05:00:01Z' }),
        cert({ id: 'old', notAfter: '2026-11-22T17:00:00Z' }),
        cert({ id: 'sh', region: 'cn-sh2', notAfter: '2026-12-23T05:00:00Z' }),
        cert({ id: 'slb', provider: 'aliyun', service: 'slb', notAfter: '2026-11-23T05:00:00Z' }),
        cert({ id: 'nodate', notAfter: null, status: 'unknown' }),
      ]),
      'scan-1',
      NAMESPACE,
    );
    for (const document of documents) expectValidEmf(document);
    const values = documents.map((d) => [d.Provider, d.Service, d.Region, d.DaysToExpiry]);
    expect(values).toEqual([
      ['ucloud', 'ulb', 'cn-bj2', [1.00001, -0.5]],
      ['ucloud', 'ulb', 'cn-sh2', [30]],
      ['aliyun', 'slb', 'cn-bj2', [0]],
    ]);
  });

  it('splits a region of more than 100 certificates into documents of at most 100 values', () => {
    const many = Array.from({ length: 250 }, (_, i) => cert({ id: `c${i}` }));
    const documents = certificateMetrics(report(many), 'scan-1', NAMESPACE);
    expect(documents.map((d) => (d.DaysToExpiry as number[]).length)).toEqual([100, 100, 50]);
    for (const document of documents) expectValidEmf(document);
  });

  it('writes nothing for an empty fleet', () => {
    expect(certificateMetrics(report([]), 'scan-1', NAMESPACE)).toEqual([]);
  });
});
