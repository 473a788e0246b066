import { describe, expect, it } from 'vitest';
import type { PlannedAlert } from '../../../lib/alerts/plan';
import { alertPayloadBytes, MAX_ALERT_PAYLOAD_BYTES } from '../../../lib/alerts/sink';
import {
  type CertificateAlert,
  STRUCTURED_ALERT_SCHEMA,
  type StructuredAlertBody,
  structuredMessage,
} from '../../../lib/alerts/structured';
import type { CertificateRecord } from '../../../lib/model';
import { cert, fingerprintOf, ms, NOW } from '../../helpers/reports';

const record = cert({
  id: 'ssl-2',
  name: 'api',
  status: 'critical',
  daysLeft: 5,
  notAfter: '2026-11-28T12:00:00Z',
  leafNotAfter: '2027-03-01T00:00:00Z',
  domains: ['api.example.com'],
  expirySource: 'pem:intermediate',
  notes: ['intermediate "CN=Old CA" expires first'],
});

function alert(overrides: Partial<CertificateAlert> = {}): CertificateAlert {
  return {
    record,
    rung: 'd7',
    severity: 'critical',
    kind: 'chain',
    action: 'Upload the chain with the new intermediate to ucloud ulb cn-bj2.',
    ...overrides,
  };
}

function body(message: string): StructuredAlertBody {
  return JSON.parse(message) as StructuredAlertBody;
}

describe('structuredMessage body', () => {
  it('has the documented shape, certificate fields picked one by one', () => {
    const { message } = structuredMessage(alert(), { generatedAt: NOW, scanId: 'scan-42' });
    expect(body(message)).toEqual({
      schema: 'certwatch.alert/1',
      generatedAt: NOW,
      scanId: 'scan-42',
      kind: 'chain',
      severity: 'critical',
      rung: 'd7',
      certificate: {
        provider: 'ucloud',
        service: 'ulb',
        region: 'cn-bj2',
        project: 'org-x',
        id: 'ssl-2',
        name: 'api',
        domains: ['api.example.com'],
        notAfter: '2026-11-28T12:00:00Z',
        leafNotAfter: '2027-03-01T00:00:00Z',
        daysLeft: 5,
        inUse: true,
        boundTo: ['ulb-ok/vserver-443'],
        fingerprintSha256: fingerprintOf('ssl-2'),
        expirySource: 'pem:intermediate',
        notes: ['intermediate "CN=Old CA" expires first'],
      },
      action: 'Upload the chain with the new intermediate to ucloud ulb cn-bj2.',
      truncated: false,
    });
    expect(STRUCTURED_ALERT_SCHEMA).toBe('certwatch.alert/1');
  });

  it('names the account of a provider that reads several, and none for one that reads one', () => {
    const member = cert({
      provider: 'aliyun',
      service: 'cas',
      region: 'global',
      project: null,
      id: '40000001',
      account: { id: '1000000000000002', name: 'shop-prod' },
    });
    const { certificate } = body(structuredMessage(alert({ record: member }), { generatedAt: NOW }).message);
    expect(certificate.account).toEqual({ id: '1000000000000002', name: 'shop-prod' });
    const main = cert({ provider: 'aliyun', service: 'cdn', account: { id: null, name: 'default' } });
    expect(
      body(structuredMessage(alert({ record: main }), { generatedAt: NOW }).message).certificate.account,
    ).toEqual({ id: null, name: 'default' });
    expect(body(structuredMessage(alert(), { generatedAt: NOW }).message).certificate).not.toHaveProperty(
      'account',
    );
  });

  it('leaves scanId and renewedBy out when there are none, and picks renewedBy fields', () => {
    const plain = body(structuredMessage(alert(), { generatedAt: NOW }).message);
    expect(plain).not.toHaveProperty('scanId');
    expect(plain).not.toHaveProperty('renewedBy');

    const renewedBy = {
      provider: 'ucloud',
      service: 'ussl',
      region: 'cn-bj2',
      id: 'ssl-new',
      name: 'api-2027',
      notAfterMs: ms('2027-12-01T00:00:00Z'),
    };
    const rebind = body(
      structuredMessage(alert({ kind: 'rebind', renewedBy }), { generatedAt: NOW }).message,
    );
    expect(rebind.renewedBy).toEqual({
      provider: 'ucloud',
      service: 'ussl',
      region: 'cn-bj2',
      id: 'ssl-new',
      notAfter: '2027-12-01T00:00:00Z',
    });
  });

  it('never carries fields the record grows later, such as PEM text', () => {
    const withPem = {
      ...record,
      pem: '-----BEGIN CERTIFICATE-----',
      privateKey: 'secret',
    } as CertificateRecord;
    const { message } = structuredMessage(alert({ record: withPem }), { generatedAt: NOW });
    expect(message).not.toContain('BEGIN');
    expect(message).not.toContain('secret');
    expect(Object.keys(body(message).certificate)).not.toContain('status');
  });

  it('accepts a PlannedAlert as it is', () => {
    const planned: PlannedAlert = {
      ...alert(),
      certificateKey: 'ucloud/ulb/cn-bj2/org-x/ssl-2',
      renewedBy: {
        provider: 'ucloud',
        service: 'ulb',
        region: 'cn-bj2',
        id: 'ssl-3',
        name: 'api-new',
        notAfterMs: ms('2027-12-01T00:00:00Z'),
      },
    };
    const fromPlan: CertificateAlert = planned;
    expect(body(structuredMessage(fromPlan, { generatedAt: NOW }).message).renewedBy?.id).toBe('ssl-3');
  });
});

describe('structuredMessage attributes', () => {
  it('gives String attributes for filtering and daysLeft as a Number', () => {
    const { attributes } = structuredMessage(alert(), { generatedAt: NOW });
    expect(attributes).toEqual({
      severity: { DataType: 'String', StringValue: 'critical' },
      provider: { DataType: 'String', StringValue: 'ucloud' },
      service: { DataType: 'String', StringValue: 'ulb' },
      region: { DataType: 'String', StringValue: 'cn-bj2' },
      kind: { DataType: 'String', StringValue: 'chain' },
      daysLeft: { DataType: 'Number', StringValue: '5' },
    });
  });

  it.each([
    [-3, '-3'],
    [0, '0'],
    [2.5, '2.5'],
    [1 / 3, '0.33333'],
    [1e-7, '0'],
  ])('writes daysLeft %s as the decimal %s', (daysLeft, expected) => {
    const { attributes } = structuredMessage(alert({ record: { ...record, daysLeft } }), {
      generatedAt: NOW,
    });
    expect(attributes.daysLeft).toEqual({ DataType: 'Number', StringValue: expected });
  });

  it('leaves out daysLeft when unknown and any attribute that would be empty', () => {
    const { attributes } = structuredMessage(alert({ record: { ...record, daysLeft: null, region: '' } }), {
      generatedAt: NOW,
    });
    expect(attributes).not.toHaveProperty('daysLeft');
    expect(attributes).not.toHaveProperty('region');
    for (const value of Object.values(attributes)) expect(value.StringValue).not.toBe('');
  });
});

describe('structuredMessage size', () => {
  it('trims a record with a huge domain list to fit 256 KiB and says so', () => {
    const domains = Array.from({ length: 30_000 }, (_, i) => `host-${i}.shop.example.com`);
    const boundTo = ['ulb-1/vserver-443', 'ulb-2/vserver-443'];
    const { message, attributes } = structuredMessage(alert({ record: { ...record, domains, boundTo } }), {
      generatedAt: NOW,
    });

    expect(alertPayloadBytes(message, attributes)).toBeLessThanOrEqual(MAX_ALERT_PAYLOAD_BYTES);
    // Close to the limit: the binary search keeps as much as fits.
    expect(alertPayloadBytes(message, attributes)).toBeGreaterThan(MAX_ALERT_PAYLOAD_BYTES - 100);
    const trimmed = body(message);
    expect(trimmed.truncated).toBe(true);
    const kept = trimmed.certificate.domains.length;
    expect(kept).toBeGreaterThan(1000);
    expect(trimmed.certificate.domains).toEqual(domains.slice(0, kept));
    expect(trimmed.omitted).toEqual({ domains: 30_000 - kept, boundTo: 0, notes: 0 });
    expect(trimmed.certificate.boundTo).toEqual(boundTo);
    expect(trimmed.certificate.id).toBe('ssl-2');
  });

  it('cuts a single huge note, without splitting a character', () => {
    const note = `😀${'x'.repeat(1022)}😀${'y'.repeat(300_000)}`;
    const { message, attributes } = structuredMessage(alert({ record: { ...record, notes: [note] } }), {
      generatedAt: NOW,
    });
    expect(alertPayloadBytes(message, attributes)).toBeLessThanOrEqual(MAX_ALERT_PAYLOAD_BYTES);
    const trimmed = body(message);
    expect(trimmed.truncated).toBe(true);
    expect(trimmed.omitted).toEqual({ domains: 0, boundTo: 0, notes: 0 });
    // 1024 UTF-16 units would end inside the second emoji: it is dropped whole.
    expect(trimmed.certificate.notes).toEqual([`😀${'x'.repeat(1022)}…`]);
    expect(message).not.toMatch(/\\ud83d(?!\\ude00)/i);
  });

  it('trims every list to the same count under a lower limit', () => {
    const many = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);
    const { message, attributes } = structuredMessage(
      alert({ record: { ...record, domains: many('d'), boundTo: many('b'), notes: many('n') } }),
      { generatedAt: NOW, maxBytes: 1_200 },
    );
    expect(alertPayloadBytes(message, attributes)).toBeLessThanOrEqual(1_200);
    const trimmed = body(message);
    expect(trimmed.truncated).toBe(true);
    const kept = trimmed.certificate.domains.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(50);
    expect(trimmed.certificate.boundTo).toHaveLength(kept);
    expect(trimmed.certificate.notes).toHaveLength(kept);
    expect(trimmed.omitted).toEqual({ domains: 50 - kept, boundTo: 50 - kept, notes: 50 - kept });
  });

  it('refuses a limit with no room for even a trimmed message', () => {
    expect(() => structuredMessage(alert(), { generatedAt: NOW, maxBytes: 200 })).toThrow(RangeError);
  });
});
