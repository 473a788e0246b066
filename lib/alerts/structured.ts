/**
 * One machine-readable SNS message per certificate alert, so subscribers can filter on MessageAttributes
 * (severity, provider, service, region, daysLeft, kind) instead of parsing a digest.
 *
 * The body is JSON of a stable shape, `schema: 'certwatch.alert/1'` (StructuredAlertBody). Keys may be added
 * within version 1; existing keys keep their meaning. It carries what the report carries and never a key or PEM.
 *
 * SNS limits (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html): the message with its attributes is
 * at most 256 KiB of UTF-8; attribute values must not be empty. A record too large for that (thousands of domains,
 * huge notes) is trimmed and marked `truncated: true` rather than failing.
 */
import { toIsoUtc, toIsoUtcOrNull } from '../expiry/instant';
import type { Severity } from '../expiry/status';
import type { AccountRef, CertificateRecord, SourceFailure } from '../model';
import type { AlertKind } from './plan';
import { type AlertAttribute, alertPayloadBytes, MAX_ALERT_PAYLOAD_BYTES } from './sink';

export const STRUCTURED_ALERT_SCHEMA = 'certwatch.alert/1';

/** The certificate that replaces the alerted one, when one was found (same names, later expiry). */
export type AlertRenewedBy = Pick<CertificateRecord, 'provider' | 'service' | 'region' | 'id'> & {
  notAfterMs: number;
};

/** One alert about one certificate, as the rules decided it (a PlannedAlert from ./plan is one). */
export interface CertificateAlert {
  record: CertificateRecord;
  /** The rung crossed: `d30`, `d14`, `d7`, `d3`, `d1` (days left), `p20` (share of lifetime left), `expired`. */
  rung: string;
  severity: Severity;
  kind: AlertKind;
  /** What a person should do, in one sentence. */
  action: string;
  renewedBy?: AlertRenewedBy;
}

/**
 * The certificate as a subscriber sees it: the report row's fields, picked one by one so nothing else leaks, its
 * instants as ISO text (as in the JSON report).
 */
export type AlertCertificate = Pick<
  CertificateRecord,
  | 'provider'
  | 'service'
  | 'region'
  | 'project'
  | 'id'
  | 'name'
  | 'domains'
  | 'daysLeft'
  | 'inUse'
  | 'boundTo'
  | 'fingerprintSha256'
  | 'expirySource'
  | 'notes'
> & {
  notAfter: string | null;
  leafNotAfter: string | null;
  /**
   * The account the certificate is stored in, for a provider that reads several (Alibaba Cloud): its id (null for
   * the configured keys' own account when none is set) and name. Absent for a provider that reads one (UCloud).
   */
  account?: AccountRef;
};

/** The JSON body of a structured alert (`schema: 'certwatch.alert/1'`). */
export interface StructuredAlertBody {
  schema: typeof STRUCTURED_ALERT_SCHEMA;
  /** When the scan that raised the alert ran (ISO 8601). */
  generatedAt: string;
  /** The scan's id, when the caller has one: groups the alerts of one run. */
  scanId?: string;
  kind: AlertKind;
  severity: Severity;
  rung: string;
  certificate: AlertCertificate;
  action: string;
  /** The renewing certificate, its notAfter as ISO text. */
  renewedBy?: Pick<AlertRenewedBy, 'provider' | 'service' | 'region' | 'id'> & { notAfter: string };
  /**
   * True when the message had to be trimmed to fit SNS: lists were shortened (their first items kept) and long
   * strings cut, ending in `…`. `omitted` then counts the list items left out.
   */
  truncated: boolean;
  omitted?: { domains: number; boundTo: number; notes: number };
}

export interface StructuredMessage {
  /** The JSON body (StructuredAlertBody). */
  message: string;
  attributes: Record<string, AlertAttribute>;
}

export interface StructuredMessageOptions {
  scanId?: string;
  generatedAt: string;
  /** Largest message plus attributes in bytes; lowered only by tests that want to see trimming. */
  maxBytes?: number;
}

/** Strings longer than this are cut once a message must be trimmed; no sane field comes near it. */
const TRIMMED_STRING_LENGTH = 1024;

/**
 * The SNS message for one alert: the JSON body and the attributes subscribers filter on. Pure: the time is the
 * caller's `generatedAt`. Throws RangeError only when `maxBytes` leaves no room for even a fully trimmed message.
 */
export function structuredMessage(
  alert: CertificateAlert,
  options: StructuredMessageOptions,
): StructuredMessage {
  const { maxBytes = MAX_ALERT_PAYLOAD_BYTES } = options;
  const attributes = alertAttributes(alert);
  const budget = maxBytes - alertPayloadBytes('', attributes);
  const body = alertBody(alert, options);

  const full = JSON.stringify(body);
  if (Buffer.byteLength(full, 'utf8') <= budget) return { message: full, attributes };

  const message = trimToFit(body, budget);
  if (message === null) {
    throw new RangeError(
      `maxBytes ${maxBytes} leaves no room for the alert about ${alert.record.provider}/${alert.record.id}`,
    );
  }
  return { message, attributes };
}

function alertBody(alert: CertificateAlert, options: StructuredMessageOptions): StructuredAlertBody {
  const { record, renewedBy } = alert;
  return {
    schema: STRUCTURED_ALERT_SCHEMA,
    generatedAt: options.generatedAt,
    ...(options.scanId === undefined ? {} : { scanId: options.scanId }),
    kind: alert.kind,
    severity: alert.severity,
    rung: alert.rung,
    certificate: {
      provider: record.provider,
      service: record.service,
      region: record.region,
      project: record.project,
      id: record.id,
      ...(record.account === undefined
        ? {}
        : { account: { id: record.account.id, name: record.account.name } }),
      name: record.name,
      domains: record.domains,
      notAfter: toIsoUtcOrNull(record.notAfterMs),
      leafNotAfter: toIsoUtcOrNull(record.leafNotAfterMs),
      daysLeft: record.daysLeft,
      inUse: record.inUse,
      boundTo: record.boundTo,
      fingerprintSha256: record.fingerprintSha256,
      expirySource: record.expirySource,
      notes: record.notes,
    },
    action: alert.action,
    ...(renewedBy === undefined
      ? {}
      : {
          renewedBy: {
            provider: renewedBy.provider,
            service: renewedBy.service,
            region: renewedBy.region,
            id: renewedBy.id,
            notAfter: toIsoUtc(renewedBy.notAfterMs),
          },
        }),
    truncated: false,
  };
}

/**
 * Attributes for subscription filter policies. SNS rejects empty values, so an empty field is left out rather
 * than sent; so is a daysLeft that is unknown.
 */
function alertAttributes(alert: CertificateAlert): Record<string, AlertAttribute> {
  const { record } = alert;
  const attributes: Record<string, AlertAttribute> = {};
  const strings: [string, string][] = [
    ['severity', alert.severity],
    ['provider', record.provider],
    ['service', record.service],
    ['region', record.region],
    ['kind', alert.kind],
  ];
  for (const [name, value] of strings) {
    if (value) attributes[name] = { DataType: 'String', StringValue: value };
  }
  const daysLeft = snsNumber(record.daysLeft);
  if (daysLeft !== null) attributes.daysLeft = { DataType: 'Number', StringValue: daysLeft };
  return attributes;
}

/**
 * A Number attribute's StringValue: plain decimal, never exponent notation, at most 5 decimal places (the
 * precision SNS filter policies compare with).
 */
function snsNumber(value: number | null): string | null {
  if (value === null || !Number.isFinite(value)) return null;
  if (Number.isInteger(value)) return value.toFixed(0);
  return value.toFixed(5).replace(/\.?0+$/, '');
}

/**
 * The largest message that fits `budget`: strings cut to TRIMMED_STRING_LENGTH, then every list kept to the same
 * number of leading items, found by binary search. Null when even empty lists do not fit.
 */
function trimToFit(body: StructuredAlertBody, budget: number): string | null {
  const { certificate } = body;
  const lists = { domains: certificate.domains, boundTo: certificate.boundTo, notes: certificate.notes };
  const render = (keep: number): string => {
    const trimmed: StructuredAlertBody = {
      ...body,
      certificate: {
        ...certificate,
        domains: lists.domains.slice(0, keep),
        boundTo: lists.boundTo.slice(0, keep),
        notes: lists.notes.slice(0, keep),
      },
      truncated: true,
      omitted: {
        domains: Math.max(0, lists.domains.length - keep),
        boundTo: Math.max(0, lists.boundTo.length - keep),
        notes: Math.max(0, lists.notes.length - keep),
      },
    };
    return JSON.stringify(capStrings(trimmed, TRIMMED_STRING_LENGTH));
  };
  const fits = (keep: number) => Buffer.byteLength(render(keep), 'utf8') <= budget;

  let low = 0;
  let high = Math.max(lists.domains.length, lists.boundTo.length, lists.notes.length);
  if (!fits(low)) return null;
  // Invariant: `low` fits. Find the largest `keep` that does.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return render(low);
}

/** Every string in `value` cut to `maxLength` UTF-16 units plus `…`, never splitting a surrogate pair. */
function capStrings<T>(value: T, maxLength: number): T {
  if (typeof value === 'string') {
    if (value.length <= maxLength) return value;
    let end = maxLength;
    const last = value.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1;
    return `${value.slice(0, end)}…` as T;
  }
  if (Array.isArray(value)) return value.map((item) => capStrings(item, maxLength)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, capStrings(item, maxLength)]),
    ) as T;
  }
  return value;
}

/** The schema of the message that says a scan could not read everything. */
export const INCOMPLETE_SCAN_SCHEMA = 'certwatch.scan-incomplete/1';

/**
 * One structured message for an incomplete scan, so subscribers that filter on severity (and never read the
 * digest) learn that part of the fleet went unchecked: severity `critical`, kind `scan-incomplete`.
 */
export function incompleteScanMessage(
  failures: readonly SourceFailure[],
  options: StructuredMessageOptions,
): StructuredMessage {
  const providers = [...new Set(failures.map((failure) => failure.provider))];
  const attributes: Record<string, AlertAttribute> = {
    severity: { DataType: 'String', StringValue: 'critical' },
    kind: { DataType: 'String', StringValue: 'scan-incomplete' },
  };
  if (providers.length === 1) attributes.provider = { DataType: 'String', StringValue: providers[0]! };
  const body = {
    schema: INCOMPLETE_SCAN_SCHEMA,
    generatedAt: options.generatedAt,
    ...(options.scanId ? { scanId: options.scanId } : {}),
    kind: 'scan-incomplete',
    severity: 'critical',
    action: 'some sources could not be checked: see the failures; their certificates were not evaluated',
    failures: failures
      .slice(0, 100)
      .map((f) => ({ ...f, message: f.message.slice(0, TRIMMED_STRING_LENGTH) })),
    omittedFailures: Math.max(0, failures.length - 100),
  };
  return { message: JSON.stringify(body), attributes };
}
