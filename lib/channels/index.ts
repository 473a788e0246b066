/**
 * The channels' settings and their reader, as lib/config.ts, lib/secrets/ssm.ts, the help and the README table
 * take them. Temporary: built over channelConfig.ts until the channel modules replace it with the same two
 * exports.
 */
import type { Setting, SettingGet } from '../settings/setting';
import {
  CHANNEL_KEYS,
  type ChannelsConfig,
  readChannels as readChannelSettings,
  SECRET_CHANNEL_KEYS,
} from './channelConfig';

const DESCRIPTIONS: Record<(typeof CHANNEL_KEYS)[number] | 'CERTWATCH_SNS_TOPIC_ARN', string> = {
  CERTWATCH_SNS_TOPIC_ARN: 'publish alerts to this SNS topic; no channel at all: print them',
  CERTWATCH_EMAIL_FROM: 'the HTML email digest through SES: the sender, an address verified in SES',
  CERTWATCH_EMAIL_TO: 'the recipients of the email digest, comma-separated',
  CERTWATCH_DINGTALK_URL: "a DingTalk custom robot's webhook",
  CERTWATCH_DINGTALK_SECRET: "the DingTalk robot's signing secret (加签), if it has one",
  CERTWATCH_FEISHU_URL: "a Feishu or Lark custom bot's webhook",
  CERTWATCH_FEISHU_SECRET: "the Feishu or Lark bot's signing secret, if it has one",
  CERTWATCH_WECOM_URL: "a WeCom (企业微信) group robot's webhook",
  CERTWATCH_SLACK_URL: 'a Slack incoming webhook',
};

/** Every channel's keys, CERTWATCH_SNS_TOPIC_ARN first. */
export const CHANNEL_SETTINGS: readonly Setting[] = (
  ['CERTWATCH_SNS_TOPIC_ARN', ...CHANNEL_KEYS] as const
).map((key) => ({
  key,
  description: DESCRIPTIONS[key],
  ...((SECRET_CHANNEL_KEYS as readonly string[]).includes(key) ? { secret: true } : {}),
}));

/** Reads every channel's settings beside SNS, adding a problem per mistake (never quoting a URL or secret). */
export function readChannels(get: SettingGet, problems: string[]): ChannelsConfig {
  return readChannelSettings(get, problems);
}

export type { ChannelsConfig };
