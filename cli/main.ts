import { lstat, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { alertOnChannels, type ChannelsOutcome, throwIfAnyChannelFailed } from '../lib/alerts/channels';
import { parseRules } from '../lib/alerts/rules';
import type { AlertSink } from '../lib/alerts/sink';
import { symlinkRefused, writeFileAtomically } from '../lib/atomicFile';
import { ConsoleSink } from '../lib/channels/console';
import { FileSink } from '../lib/channels/file';
import {
  buildChannelSinks,
  CHANNEL_NAMES,
  type ChannelName,
  channelNamed,
  configuredChannels,
  isChannelName,
} from '../lib/channels/index';
import type { Config } from '../lib/config';
import { CertwatchError, ConfigError, UsageError } from '../lib/errors';
import { FORMAT_INFO, isReportFormat, REPORT_FORMATS, renderReport } from '../lib/report/render';
import { RotationError } from '../lib/rotation';
import { alertingOptions } from '../lib/run';
import { FileStateStore } from '../lib/state/file';
import { describeUnusableHistory } from '../lib/state/history';
import { VERSION } from '../lib/version';
import { runDemo } from './demo';
import { runDoctor } from './doctor';
import { emulatorHelp, emulatorUsage, runEmulatorCommand } from './emulator';
import { HELP_WIDTH, helpParagraph } from './helpText';
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
import { settingsHelp } from './settingsDoc';
import { runUpload } from './upload';

const HELP = `certwatch ${VERSION} — certificate expiry for cloud load balancers and CDNs

Usage:
  certwatch audit [--format ${REPORT_FORMATS.join('|')}] [--out FILE] [--now ISO-8601] [--config FILE]
      Every certificate, its status and where it is bound. Sends nothing. --format, for:
${REPORT_FORMATS.map((format) => `        ${format.padEnd(10)}${FORMAT_INFO[format].purpose}`).join('\n')}
      --out FILE writes the report to FILE (replaced whole, never half-written) instead of printing it.
  certwatch scan [--now ISO-8601] [--config FILE] [--channel NAME]... [--dry-run] [--out FILE]
${helpParagraph(
  'The scheduled job: scan, then alert once per rung crossed, to every configured channel ' +
    `(${CHANNEL_NAMES.join(', ')}; none configured: this console), or appended to --out FILE. History in ` +
    'CERTWATCH_STATE_FILE (.certwatch/alert-state.json), remembered per channel. --channel NAME (repeatable) ' +
    'alerts only those channels (or console). --dry-run prints exactly what each channel would receive ' +
    '(secrets shown as <placeholders>) and sends and changes nothing.',
)}
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
${emulatorUsage(HELP_WIDTH)}
      Runs the emulator of the cloud APIs until interrupted, and prints how to point certwatch at it.
${emulatorHelp()
  .map((paragraph) => helpParagraph(paragraph))
  .join('\n')}

Configuration comes from the environment (README.md, Configuration); --config FILE reads the same keys from a
JSON object, and the environment wins. Secrets may be given on Lambda as <KEY>_PARAMETER, an SSM SecureString's
name. Provider endpoints must be https:// unless they are this machine (or CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS
is true). The settings:
${settingsHelp()}
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
  // Before the scan: a typo in the path should not cost a whole scan.
  if (options.out !== undefined) await checkOutFile(options.out);
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

/**
 * Before the scan, so a typo costs no scan: the directory of `--out FILE` exists, and FILE is neither a directory
 * nor a symbolic link (certwatch writes the file itself, never through a link: lib/atomicFile.ts).
 */
async function checkOutFile(path: string): Promise<void> {
  const directory = dirname(resolve(path));
  const found = await stat(directory).catch(() => null);
  if (!found?.isDirectory()) {
    throw new UsageError(`--out ${path}: the directory ${directory} does not exist`);
  }
  const existing = await lstat(path).catch(() => null);
  if (existing?.isDirectory()) throw new UsageError(`--out ${path} is a directory: name a file`);
  if (existing?.isSymbolicLink()) {
    throw new UsageError(`--out ${(await symlinkRefused(path, 'writes --out itself')).message}`);
  }
}

/**
 * Before the scan: a state file that is a symbolic link would be refused at the first claim, after the alerts
 * went out, and every run would then send every alert due again (lib/atomicFile.ts never writes through a link).
 */
async function checkStateFile(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => null);
  if (existing?.isSymbolicLink()) {
    const refused = await symlinkRefused(path, 'replaces its alert state file whole');
    throw new UsageError(`CERTWATCH_STATE_FILE ${refused.message}`);
  }
}

/** Writes the report whole or not at all (lib/atomicFile.ts): a reader never sees half of one. */
async function writeOut(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(resolve(path), text);
  } catch (error) {
    // Our own (a symbolic link that appeared since the check) already says what to do.
    if (error instanceof CertwatchError) throw error;
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new CertwatchError(`cannot write --out ${path} (${reason}): check the directory is writable`, {
      cause: error,
    });
  }
}

async function scan(args: string[], io: CliIo): Promise<number> {
  const options = parse(args, {
    ...SCAN_OPTIONS,
    'dry-run': { type: 'boolean' },
    out: { type: 'string' },
    channel: { type: 'string', multiple: true } as const,
  });
  const nowMs = nowFrom(io, options.now);
  const config = await configFrom(io, options.config);
  const { rulesFile, stateFile } = config.alerting;
  const rules = rulesFile
    ? await parseRules(await readConfigFile(io, rulesFile, 'CERTWATCH_RULES_FILE'), rulesFile)
    : null;
  const sinks = await scanChannels(config, io, options.out, options.channel ?? []);
  await checkStateFile(stateFile ?? DEFAULT_STATE_FILE);
  const report = await scanWithProgress(io, config, nowMs);
  const dryRun = options['dry-run'] === true;
  const outcome = await alertOnChannels(
    report,
    sinks,
    alertingOptions(config, {
      store: new FileStateStore(stateFile ?? DEFAULT_STATE_FILE),
      rules,
      nowMs,
      dryRun,
    }),
  );
  // Skipped history entries are said on every run that skips them, a dry run too: they explain a repeated alert.
  const historyPath = stateFile ?? DEFAULT_STATE_FILE;
  const historyWarnings = outcome.channels.map(({ outcome: result }, index) =>
    result && result.unusableHistory.length > 0
      ? `certwatch: warning: ${sinks[index]!.name}: ${describeUnusableHistory(result.unusableHistory)} in ${historyPath}\n`
      : '',
  );
  if (dryRun) {
    await write(io.stdout, dryRunText(sinks, outcome));
    for (const warning of historyWarnings) if (warning) await write(io.stderr, warning);
    throwIfAnyChannelFailed(outcome);
    return exitCodeFor(report);
  }
  for (const [index, result] of outcome.channels.entries()) {
    const sink = sinks[index]!;
    const line = result.outcome
      ? result.outcome.digest === null
        ? `certwatch: ${sink.name}: nothing new needs action (${report.certificates.length} certificates checked); no alert sent\n`
        : `certwatch: alert sent to ${sink.name}${destination(sink)}: ${result.outcome.digest.subject}\n`
      : `certwatch: ${sink.name}: NOT delivered: ${result.error instanceof Error ? result.error.message : String(result.error)}\n`;
    await write(io.stderr, line);
    if (result.outcome?.stateProblem)
      await write(io.stderr, `certwatch: warning: alert history unusable: ${result.outcome.stateProblem}\n`);
    if (historyWarnings[index]) await write(io.stderr, historyWarnings[index]);
  }
  // Every channel was tried; now a failed one fails the command (exit 1), naming it.
  throwIfAnyChannelFailed(outcome);
  return exitCodeFor(report);
}

/**
 * The channels a scan alerts: `--out FILE` alone, else those named by `--channel` (each must be configured),
 * else every configured one, else this console.
 */
async function scanChannels(
  config: Config,
  io: CliIo,
  out: string | undefined,
  named: readonly string[],
): Promise<AlertSink[]> {
  if (out !== undefined) {
    if (named.length > 0)
      throw new UsageError('--out and --channel: choose one (--out writes the alerts to a file)');
    await checkOutFile(out);
    return [new FileSink(out)];
  }
  const configured = configuredChannels(config.channels);
  if (named.length === 0) {
    const sinks = await buildChannelSinks(config.channels, {}, configured);
    return sinks.length > 0 ? sinks : [new ConsoleSink(io.stdout)];
  }
  const wanted: ChannelName[] = [];
  let console = false;
  for (const name of new Set(named)) {
    if (name === 'console') console = true;
    else if (!isChannelName(name)) {
      throw new UsageError(
        `--channel ${name} is not a channel: use ${[...CHANNEL_NAMES, 'console'].join(', ')}`,
      );
    } else if (!configured.includes(name)) {
      throw new UsageError(`--channel ${name} is not configured: set ${channelNamed(name).enabledBy}`);
    } else wanted.push(name);
  }
  const sinks = await buildChannelSinks(config.channels, {}, wanted);
  if (!console) return sinks;
  // Where SNS is configured it keeps the unscoped history, picked this run or not: the console then remembers on
  // its own what it printed, so printing an alert never marks it delivered to SNS.
  const shared = configured.includes('sns');
  return [new ConsoleSink(io.stdout, shared ? { historyScope: 'console' } : {}), ...sinks];
}

/** `--dry-run`: per channel, exactly the requests it would make (secrets as placeholders). */
function dryRunText(sinks: readonly AlertSink[], outcome: ChannelsOutcome): string {
  const parts = ['--dry-run: nothing sent, no history changed. Each channel would receive:\n'];
  for (const [index, result] of outcome.channels.entries()) {
    const sink = sinks[index]!;
    parts.push(`\n=== channel ${sink.name} ===\n`);
    if (!result.outcome) {
      parts.push(
        `(could not be planned: ${result.error instanceof Error ? result.error.message : String(result.error)})\n`,
      );
      continue;
    }
    const { digest, messages } = result.outcome;
    const requests = sink.preview?.(digest, messages) ?? [];
    if (requests.length === 0) {
      parts.push('nothing would be sent.\n');
      continue;
    }
    for (const [n, request] of requests.entries()) {
      parts.push(`--- ${n + 1} of ${requests.length}: ${request.to}\n${request.body.replace(/\n?$/, '\n')}`);
    }
  }
  return parts.join('');
}

function destination(sink: AlertSink): string {
  return sink.destination ? ` (${sink.destination})` : '';
}
