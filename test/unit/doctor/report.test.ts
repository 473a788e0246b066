import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config';
import { configurationResult, formatResult, summarize } from '../../../lib/doctor/report';

describe('formatResult', () => {
  it('pads every status to the same width', () => {
    expect(formatResult({ status: 'ok', text: 'a' })).toBe('OK    a');
    expect(formatResult({ status: 'fail', text: 'b' })).toBe('FAIL  b');
    expect(formatResult({ status: 'warn', text: 'c' })).toBe('WARN  c');
    expect(formatResult({ status: 'info', text: 'd' })).toBe('INFO  d');
    expect(formatResult({ status: 'skip', text: 'e' })).toBe('SKIP  e');
  });
});

describe('summarize', () => {
  it('is not failed with warnings and notes only', () => {
    const summary = summarize([
      { status: 'ok', text: '' },
      { status: 'warn', text: '' },
      { status: 'info', text: '' },
    ]);
    expect(summary).toEqual({
      failed: false,
      line: '3 checks: 1 OK, 1 warning, 0 failed, 1 note; everything answered; read the WARN lines.',
    });
  });

  it('is failed when any check failed, and counts what was not checked', () => {
    const summary = summarize([
      { status: 'ok', text: '' },
      { status: 'fail', text: '' },
      { status: 'skip', text: '' },
    ]);
    expect(summary.failed).toBe(true);
    expect(summary.line).toBe(
      '3 checks: 1 OK, 0 warnings, 1 failed, 1 not checked; fix the FAIL lines: until then a scan would not see ' +
        'everything, or its alerts would not arrive.',
    );
  });

  it('says everything answered when all is OK', () => {
    expect(summarize([{ status: 'ok', text: '' }]).line).toBe(
      '1 check: 1 OK, 0 warnings, 0 failed; everything answered.',
    );
  });
});

describe('configurationResult', () => {
  it('says what will be scanned, from where, and how many rules apply', () => {
    const config = loadConfig({
      UCLOUD_PUBLIC_KEY: 'p',
      UCLOUD_PRIVATE_KEY: 's',
      UCLOUD_REGIONS: 'cn-bj2,hk',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'a',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b',
      ALIBABA_CLOUD_SLB_REGIONS: 'cn-hangzhou',
      CERTWATCH_RULES_FILE: 'rules.yaml',
    });
    expect(configurationResult(config, 'cw.json', 3)).toEqual({
      status: 'ok',
      text:
        'configuration from the environment and cw.json: scans UCloud ULB in 2 regions × the default project, ' +
        'Alibaba CDN, Alibaba CDN and DCDN HTTPS domains, Alibaba CAS, Alibaba SLB in 1 region; 3 alert rules from rules.yaml',
    });
  });

  it('names the project count and leaves out what is not configured', () => {
    const config = loadConfig({
      UCLOUD_PUBLIC_KEY: 'p',
      UCLOUD_PRIVATE_KEY: 's',
      UCLOUD_REGIONS: 'cn-bj2',
      UCLOUD_PROJECT_IDS: 'org-a,org-b',
    });
    expect(configurationResult(config, undefined).text).toBe(
      'configuration from the environment: scans UCloud ULB in 1 region × 2 projects',
    );
  });
});
