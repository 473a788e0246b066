/**
 * What `certwatch doctor` prints (pure): one line per check, a line saying what the configuration covers, and a
 * summary.
 */

import type { CheckResult, CheckStatus } from '../checks/check';
import type { Config } from '../config';
import { configuredProviders } from '../providers/registry';

const LABELS: Readonly<Record<CheckStatus, string>> = {
  ok: 'OK',
  warn: 'WARN',
  fail: 'FAIL',
  info: 'INFO',
  skip: 'SKIP',
};

/** `OK    UCloud DescribeSSLV2 in cn-bj2 ...`: the status, padded so the texts line up. */
export function formatResult(result: CheckResult): string {
  return `${LABELS[result.status].padEnd(5)} ${result.text}`;
}

/**
 * The configuration check's result: what it will scan, where it was read from, and how many alert rules the
 * rules file holds (null: no rules file).
 */
export function configurationResult(
  config: Config,
  configFile: string | undefined,
  rules: number | null = null,
): CheckResult {
  const covered = configuredProviders(config).flatMap(({ provider, config: providerConfig }) =>
    provider.doctor.covers(providerConfig),
  );
  const source = configFile ? `the environment and ${configFile}` : 'the environment';
  const rulesFile = config.alerting.rulesFile;
  const ruled = rulesFile && rules !== null ? `; ${count(rules, 'alert rule')} from ${rulesFile}` : '';
  return { status: 'ok', text: `configuration from ${source}: scans ${covered.join(', ')}${ruled}` };
}

export interface DoctorSummary {
  /** The last line. */
  line: string;
  /** Whether any check failed: a scan now would not see everything, or alerts would not arrive. */
  failed: boolean;
}

export function summarize(results: readonly CheckResult[]): DoctorSummary {
  const tally = (status: CheckStatus) => results.filter((result) => result.status === status).length;
  const failed = tally('fail');
  const parts = [`${tally('ok')} OK`, count(tally('warn'), 'warning'), `${failed} failed`];
  if (tally('skip') > 0) parts.push(`${tally('skip')} not checked`);
  if (tally('info') > 0) parts.push(count(tally('info'), 'note'));
  const verdict =
    failed > 0
      ? 'fix the FAIL lines: until then a scan would not see everything, or its alerts would not arrive.'
      : tally('warn') > 0
        ? 'everything answered; read the WARN lines.'
        : 'everything answered.';
  return { line: `${count(results.length, 'check')}: ${parts.join(', ')}; ${verdict}`, failed: failed > 0 };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
