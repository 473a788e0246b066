import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { alertOn } from '../lib/alerts/alerting';
import { ConsoleSink } from '../lib/alerts/console';
import { FileSink } from '../lib/alerts/file';
import { parseRules } from '../lib/alerts/rules';
import type { AlertSink } from '../lib/alerts/sink';
import { createSnsSink } from '../lib/alerts/sns';
import { writeFileAtomically } from '../lib/atomicFile';
import { CertwatchError, ConfigError, UsageError } from '../lib/errors';
import { FORMAT_INFO, isReportFormat, REPORT_FORMATS, renderReport } from '../lib/report/render';
import { RotationError } from '../lib/rotation';
import { FileStateStore } from '../lib/state/file';
import { VERSION } from '../lib/version';
import { runDemo } from './demo';
import { runDoctor } from './doctor';
import { runEmulatorCommand } from './emulator';
import { type CliIo, write } from './io';
import { parse } from './options';
import {
  configFrom,
  DEFAULT_STATE_FILE,
  EXIT,
  exitCodeFor,
  nowFrom,
  readConfigFile,
  scanWithProgress,
} from './run';
import { runUpload } from './upload';

const HELP = `certwatch ${VERSION} — certificate expiry for cloud load balancers and CDNs

Usage:
  certwatch audit [--format ${REPORT_FORMATS.join('|')}] [--out FILE] [--now ISO-8601] [--config FILE]
      Every certificate, its status and where it is bound. Sends nothing. --format, for:
${REPORT_FORMATS.map((format) => `        ${format.padEnd(10)}${FORMAT_INFO[format].purpose}`).join('\n')}
      --out FILE writes the report to FILE (replaced whole, never half-written) instead of printing it.
  certwatch scan [--now ISO-8601] [--config FILE] [--dry-run] [--out FILE]
      The scheduled job: scan, then alert once per rung crossed (SNS when CERTWATCH_SNS_TOPIC_ARN is set, else
      this console, or appended to --out FILE); history in CERTWATCH_STATE_FILE (.certwatch/alert-state.json).
      --dry-run shows what would be sent and changes nothing.
  certwatch upload --region R --cert FILE [--key FILE | --pfx FILE --passphrase-env VAR] [--name NAME]
                   [--replaces ID] [--dry-run]
      Checks a renewed certificate and key (match, chain, dates, names of the one it replaces), then uploads
      them to Alibaba SLB and checks SLB's fingerprint. --dry-run checks and prints, and sends nothing.
  certwatch doctor [--config FILE]
      Checks the configuration, the SSM parameters holding keys, one call to each provider endpoint, the SNS
      topic and the alert history store, and says what is wrong. Exit 0 all answered, 3 a check failed.
  certwatch demo [--report-out FILE]
      Starts the built-in emulator with a demo fleet, then runs an audit and a scan against it, and writes the
      audit as an HTML page (default ./certwatch-report.html).
  certwatch emulator [--port N] [--fleet FILE | [--count N] [--cdn-count N] [--slb-count N] [--seed N]
                     [--regions LIST --projects LIST] [--slb-regions LIST]]
                     [--latency-ms N] [--throttle-rate R] [--error-rate R]
                     [--rate-limits ACTION=N,... ] [--rate-scale F]
      Runs the emulator of the cloud APIs until interrupted, and prints how to point certwatch at it.
      --rate-limits / --rate-scale turn on per-API token buckets (defaults: DescribeSSLV2=50,
      DescribeCdnSSLCertificateList=20, DescribeCertificateInfoByID=100, DescribeServerCertificates=50 per
      second; ACTION=off lifts one); F multiplies them all.

Configuration comes from the environment (see README.md): UCLOUD_PUBLIC_KEY, UCLOUD_PRIVATE_KEY,
UCLOUD_REGIONS, UCLOUD_PROJECT_IDS, UCLOUD_API_URL, CERTWATCH_WARNING_DAYS, CERTWATCH_CRITICAL_DAYS,
CERTWATCH_SNS_TOPIC_ARN, ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET,
ALIBABA_CLOUD_SECURITY_TOKEN, ALIBABA_CLOUD_SLB_REGIONS, ALIBABA_CLOUD_SCAN_CDN, ALIBABA_CLOUD_CDN_ENDPOINT,
ALIBABA_CLOUD_SLB_ENDPOINT. --config FILE reads the same keys from a JSON object; the environment wins.

Exit codes: 0 scan complete, 3 scan incomplete (a source failed), 2 bad usage or configuration,
1 other failure (an alert could not be delivered). --debug prints stack traces.
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  try {
    return await dispatch(args, io);
  } catch (error) {
    // Bad input of the user's (usage, configuration, a certificate or key file): exit 2, not a failure of ours.
    const usage =
      error instanceof UsageError || error instanceof ConfigError || error instanceof RotationError;
    const message = error instanceof CertwatchError ? error.message : `unexpected error: ${String(error)}`;
    await write(io.stderr, `certwatch: ${message}\n`);
    if (error instanceof UsageError) await write(io.stderr, 'Run `certwatch help` for usage.\n');
    if (debug && error instanceof Error && error.stack) await write(io.stderr, `${error.stack}\n`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

async function dispatch(args: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'audit':
      return audit(rest, io);
    case 'scan':
      return scan(rest, io);
    case 'demo': {
      const options = parse(rest, { 'report-out': { type: 'string' } });
      return runDemo(io, { reportOut: options['report-out'] });
    }
    case 'emulator':
      return runEmulatorCommand(rest, io);
    case 'upload':
      return runUpload(rest, io);
    case 'doctor':
      return runDoctor(rest, io);
    case 'version':
    case '--version':
      await write(io.stdout, `${VERSION}\n`);
      return EXIT.complete;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      await write(io.stdout, HELP);
      return command === undefined ? EXIT.usage : EXIT.complete;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

const SCAN_OPTIONS = { now: { type: 'string' }, config: { type: 'string' } } as const;

async function audit(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, { ...SCAN_OPTIONS, format: { type: 'string' }, out: { type: 'string' } });
  const format = options.format ?? 'table';
  if (!isReportFormat(format)) {
    throw new UsageError(`--format "${format}" is not known: use ${REPORT_FORMATS.join(', ')}`);
  }
  const nowMs = nowFrom(io, options.now);
  const config = await configFrom(io, options.config);
  // Before the scan: a typo in the directory should not cost a whole scan.
  if (options.out !== undefined) await checkOutDirectory(options.out);
  const report = await scanWithProgress(io, config, nowMs);
  const text = renderReport(report, format, { nowMs: io.clock(), alarmDays: config.alerting.ladder.days });
  if (options.out === undefined) {
    await write(io.stdout, text);
  } else {
    await writeOut(options.out, text);
    const state = report.complete ? 'scan complete' : 'scan INCOMPLETE';
    const count = report.certificates.length;
    await write(
      io.stdout,
      `certwatch: wrote the ${format} report (${count} certificate${count === 1 ? '' : 's'}, ${state}) to ${resolve(options.out)}\n`,
    );
  }
  if (!report.complete && !FORMAT_INFO[format].listsFailures) {
    await write(
      io.stderr,
      `certwatch: scan INCOMPLETE: ${report.failures.length} source(s) could not be read; the ${format} ` +
        'report lists only the certificates that were (run with --format table to see which failed)\n',
    );
  }
  return exitCodeFor(report);
}

async function checkOutDirectory(path: string): Promise<void> {
  const directory = dirname(resolve(path));
  const found = await stat(directory).catch(() => null);
  if (!found?.isDirectory()) {
    throw new UsageError(`--out ${path}: the directory ${directory} does not exist`);
  }
  const existing = await stat(path).catch(() => null);
  if (existing?.isDirectory()) throw new UsageError(`--out ${path} is a directory: name a file`);
}

/** Writes the report whole or not at all (lib/atomicFile.ts): a reader never sees half of one. */
async function writeOut(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(resolve(path), text);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new CertwatchError(`cannot write --out ${path} (${reason}): check the directory is writable`, {
      cause: error,
    });
  }
}

async function scan(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, { ...SCAN_OPTIONS, 'dry-run': { type: 'boolean' }, out: { type: 'string' } });
  const nowMs = nowFrom(io, options.now);
  const config = await configFrom(io, options.config);
  const { rulesFile, stateFile } = config.alerting;
  const rules = rulesFile
    ? await parseRules(await readConfigFile(io, rulesFile, 'CERTWATCH_RULES_FILE'), rulesFile)
    : null;
  const sink: AlertSink = options.out
    ? new FileSink(options.out)
    : config.snsTopicArn
      ? createSnsSink(config.snsTopicArn)
      : new ConsoleSink(io.stdout);
  const report = await scanWithProgress(io, config, nowMs);
  const dryRun = options['dry-run'] === true;
  const outcome = await alertOn(report, {
    sink,
    store: new FileStateStore(stateFile ?? DEFAULT_STATE_FILE),
    rules,
    ladder: config.alerting.ladder,
    nowMs,
    criticalDays: config.thresholds.criticalDays,
    reminderIntervalMs: config.alerting.reminderIntervalMs,
    dryRun,
  });
  if (dryRun) {
    await write(
      io.stdout,
      outcome.digest
        ? `--dry-run: would send (nothing sent, no history changed):\nSubject: ${outcome.digest.subject}\n${outcome.digest.body}` +
            `\n${outcome.alerts} structured alert(s) would be sent.\n`
        : '--dry-run: nothing would be sent.\n',
    );
    return exitCodeFor(report);
  }
  const summary =
    outcome.digest === null
      ? `certwatch: nothing new needs action (${report.certificates.length} certificates checked); no alert sent\n`
      : `certwatch: alert sent to ${sink.name}${destination(sink)}: ${outcome.digest.subject}\n`;
  await write(io.stderr, summary);
  if (outcome.stateProblem)
    await write(io.stderr, `certwatch: warning: alert history unusable: ${outcome.stateProblem}\n`);
  return exitCodeFor(report);
}

function destination(sink: AlertSink): string {
  if ('topicArn' in sink && typeof sink.topicArn === 'string') return ` (${sink.topicArn})`;
  if (sink instanceof FileSink) return ` (${sink.path})`;
  return '';
}
