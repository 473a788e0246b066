/**
 * The alert channels at the bench fleet's scale: its first scheduled run (no history, so every certificate that
 * needs a person is new) rendered for each channel exactly as it would be sent (each sink's preview), timed. What
 * matters at scale: how long rendering takes, how large the email grows, and how much of a long digest a chat's
 * ten messages can show (the rest is counted in the last one).
 */
import { alertOn } from '../../lib/alerts/alerting';
import type { AlertSink, PreviewedRequest } from '../../lib/alerts/sink';
import { ConsoleSink } from '../../lib/channels/console';
import { dingtalkPlatform } from '../../lib/channels/dingtalk';
import { SesEmailSink } from '../../lib/channels/emailSink';
import { feishuPlatform } from '../../lib/channels/feishu';
import { slackPlatform } from '../../lib/channels/slack';
import { WebhookSink } from '../../lib/channels/webhook';
import { wecomPlatform } from '../../lib/channels/wecom';
import { loadConfig } from '../../lib/config';
import { buildSources } from '../../lib/providers';
import { alertingOptions } from '../../lib/run';
import { scanFleet } from '../../lib/scan';
import { MemoryStateStore } from '../../lib/state/memory';

const never = { send: () => Promise.reject(new Error('the bench sends nothing')) };

export async function channelsSection(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env);
  const nowMs = Date.now();
  const report = await scanFleet(buildSources(config), { statusDays: config.statusDays, nowMs });
  const planned = await alertOn(
    report,
    alertingOptions(config, { sink: new ConsoleSink(), store: new MemoryStateStore(), nowMs, dryRun: true }),
  );
  const { digest } = planned;
  if (!digest) return 'Alert channels: nothing to alert in this fleet.\n';
  const entries = digest.content.sections.reduce(
    (sum, section) => sum + section.groups.reduce((n, group) => n + group.entries.length, 0),
    0,
  );
  const channels: [string, AlertSink][] = [
    [
      'email (SES)',
      new SesEmailSink({ from: 'certwatch@example.com', to: ['ops@example.com'], client: never }),
    ],
    [
      'dingtalk',
      webhook(dingtalkPlatform({ url: 'https://oapi.dingtalk.com/robot/send?access_token=t', secret: 's' })),
    ],
    [
      'feishu',
      webhook(feishuPlatform({ url: 'https://open.feishu.cn/open-apis/bot/v2/hook/t', secret: 's' })),
    ],
    ['wecom', webhook(wecomPlatform({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=t' }))],
    ['slack', webhook(slackPlatform({ url: 'https://hooks.slack.com/services/T/B/t' }))],
  ];
  const rows = ['| channel | render | requests | bytes | entries shown |', '|---|---:|---:|---:|---:|'];
  for (const [name, sink] of channels) {
    const started = performance.now();
    const requests = sink.preview!(digest, []);
    const ms = performance.now() - started;
    const bytes = requests.reduce((sum, request) => sum + Buffer.byteLength(request.body, 'utf8'), 0);
    rows.push(
      `| ${name} | ${ms.toFixed(0)} ms | ${requests.length} | ${bytes.toLocaleString('en-US')} | ` +
        `${shown(requests, entries).toLocaleString('en-US')} of ${entries.toLocaleString('en-US')} |`,
    );
  }
  return (
    `Alert channels, the first run of this fleet (${report.certificates.length.toLocaleString('en-US')} ` +
    `certificates; ${digest.content.counts.new.toLocaleString('en-US')} new alerts, ` +
    `${entries.toLocaleString('en-US')} digest entries; text digest ` +
    `${Buffer.byteLength(digest.body, 'utf8').toLocaleString('en-US')} bytes), each rendered as sent:\n\n` +
    `${rows.join('\n')}\n`
  );
}

function webhook(platform: ConstructorParameters<typeof WebhookSink>[0]): AlertSink {
  return new WebhookSink(platform);
}

/** Entries the requests show: all, less those the last message counts as left out. */
function shown(requests: readonly PreviewedRequest[], entries: number): number {
  const last = requests.at(-1)?.body ?? '';
  const left = /(\d[\d,]*) more entr(?:y is|ies are) not shown/.exec(
    last.replace(/\\u200b|\u200b|\*|&#\d+;/g, ''),
  );
  return left ? entries - Number(left[1]!.replace(/,/g, '')) : entries;
}
