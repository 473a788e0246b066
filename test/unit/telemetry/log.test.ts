import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../lib/telemetry/log';
import { armour } from '../../helpers/pem';

function capture() {
  const lines: string[] = [];
  const log = createJsonLogger({
    write: (line) => lines.push(line),
    clock: () => Date.parse('2026-11-23T05:00:00Z'),
    fields: { service: 'certwatch' },
  });
  return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with time, level, message and the fields of its parents', () => {
    const { log, lines, parsed } = capture();
    log
      .child({ scanId: 'scan-1' })
      .child({ mode: 'audit' })
      .info('scan started', { sources: ['ucloud/ulb'] });
    log.warn('plain');
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(parsed()).toEqual([
      {
        timestamp: '2026-11-23T05:00:00.000Z',
        level: 'INFO',
        message: 'scan started',
        service: 'certwatch',
        scanId: 'scan-1',
        mode: 'audit',
        sources: ['ucloud/ulb'],
      },
      { timestamp: '2026-11-23T05:00:00.000Z', level: 'WARN', message: 'plain', service: 'certwatch' },
    ]);
  });

  it('withholds PEM blocks and fields named like secrets, however deep', () => {
    const { log, lines } = capture();
    const key = armour('PRIVATE KEY', 'c2VjcmV0LWtleS1ieXRlcw==');
    log.error(`oops ${key}`, {
      detail: { nested: [key], privateKey: 'canary-1', accessKeySecret: 'canary-2' },
      passphrase: 'canary-3',
      error: new Error(`bad ${key}`, { cause: new Error('inner', { cause: { token: 'canary-4' } }) }),
    });
    const text = lines.join('');
    expect(text).not.toContain('c2VjcmV0LWtleS1ieXRlcw');
    expect(text).not.toMatch(/canary-\d/);
    const entry = JSON.parse(lines[0]!);
    expect(entry.message).toMatch(/withheld/);
    expect(entry.detail.privateKey).toBe('[withheld]');
    expect(entry.error.name).toBe('Error');
    expect(entry.error.cause.message).toBe('inner');
  });

  it('logs an error with its name, message and stack', () => {
    const { log, parsed } = capture();
    log.error('run failed', { error: new TypeError('broken') });
    const { error } = parsed()[0] as { error: Record<string, string> };
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('broken');
    expect(error.stack).toContain('TypeError: broken');
  });

  it('withholds authorization headers and API keys', () => {
    const { log, lines, parsed } = capture();
    log.info('request', {
      headers: { Authorization: 'canary-1', 'x-api-key': 'canary-2' },
      apiKey: 'canary-3',
      api_key: 'canary-4',
      APIKEY: 'canary-5',
    });
    expect(lines.join('')).not.toMatch(/canary-\d/);
    expect(parsed()[0]).toMatchObject({
      headers: { Authorization: '[withheld]', 'x-api-key': '[withheld]' },
      apiKey: '[withheld]',
      api_key: '[withheld]',
    });
  });

  it('shows bytes by their length, not byte by byte', () => {
    const { log, lines, parsed } = capture();
    const pem = armour('PRIVATE KEY', 'c2VjcmV0LWtleS1ieXRlcw==');
    log.info('read', {
      body: Buffer.from(pem),
      nested: { view: new Uint8Array(3), raw: new ArrayBuffer(8) },
    });
    expect(lines.join('')).not.toContain('c2VjcmV0');
    expect(parsed()[0]).toMatchObject({
      body: `<Buffer ${Buffer.byteLength(pem)} bytes>`,
      nested: { view: '<Uint8Array 3 bytes>', raw: '<ArrayBuffer 8 bytes>' },
    });
  });

  it('never throws, whatever the fields: BigInts, cycles, getters that throw, a clock that gives no date', () => {
    const { log, parsed } = capture();
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    const shared = { id: 1 };
    const looped = new Error('looped');
    looped.cause = looped;
    expect(() => {
      log.info('sizes', { bytes: 12n, list: [1n, { deep: -3n }] });
      log.info('cycle', { loop, pair: [shared, shared], error: looped });
      log.warn('getter', {
        get broken(): never {
          throw new Error('getter failed');
        },
      });
      createJsonLogger({ write: () => {}, clock: () => Number.NaN }).error('no clock');
    }).not.toThrow();
    const [sizes, cycle, getter] = parsed();
    expect(sizes).toMatchObject({ bytes: '12', list: ['1', { deep: '-3' }] });
    expect(cycle).toMatchObject({
      loop: { name: 'loop', self: '[circular]' },
      pair: [{ id: 1 }, { id: 1 }],
      error: { message: 'looped', cause: '[circular]' },
    });
    expect(getter).toMatchObject({ level: 'WARN', message: 'getter' });
    expect(getter!.logFailure).toContain('getter failed');
  });
});
