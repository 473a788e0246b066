import { describe, expect, it } from 'vitest';
import {
  CHANNEL_NAMES,
  CHANNEL_SETTINGS,
  CHANNELS,
  configuredChannels,
  readChannels,
  SECRET_CHANNEL_KEYS,
} from '../../../lib/channels/index';
import type { ChannelModule } from '../../../lib/channels/module';

/** A usable value of every channel key; a new channel's keys go here too. */
const SAMPLES: Readonly<Record<string, string>> = {
  CERTWATCH_SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:certwatch',
  CERTWATCH_EMAIL_FROM: 'certwatch@example.com',
  CERTWATCH_EMAIL_TO: 'ops@example.com',
  CERTWATCH_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=tok',
  CERTWATCH_DINGTALK_SECRET: 'SECsecret',
  CERTWATCH_FEISHU_URL: 'https://open.feishu.cn/open-apis/bot/v2/hook/tok',
  CERTWATCH_FEISHU_SECRET: 'secret',
  CERTWATCH_WECOM_URL: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=tok',
  CERTWATCH_SLACK_URL: 'https://hooks.slack.com/services/T0/B0/tok',
};

const MODULES: readonly ChannelModule[] = CHANNELS;

/** The keys `read` asks for, with every key unset and with every key set. */
function keysRead(module: ChannelModule): string[] {
  const asked = new Set<string>();
  for (const value of [() => undefined, (key: string) => SAMPLES[key]]) {
    module.read((key) => {
      asked.add(key);
      return value(key);
    }, []);
  }
  return [...asked].sort();
}

describe('the channel registry', () => {
  it.each(MODULES.map((module) => [module.name, module] as const))(
    '%s declares exactly the keys it reads',
    (_name, module) => {
      expect(keysRead(module)).toEqual(module.settings.map((setting) => setting.key).sort());
      for (const setting of module.settings) {
        expect(setting.description).toMatch(/^\S.*\S$/);
        expect(setting.description).not.toContain('\n');
      }
      expect(module.enabledBy).toContain(module.settings[0]!.key);
    },
  );

  it.each(MODULES.map((module) => [module.name, module] as const))(
    '%s builds a sink that bears its name',
    async (_name, module) => {
      const problems: string[] = [];
      const settings = module.read((key) => SAMPLES[key], problems);
      expect(problems).toEqual([]);
      expect(settings).not.toBeNull();
      const sink = await module.build(settings, { awsClientConfig: { region: 'us-east-1' } });
      expect(sink.name).toBe(module.name);
    },
  );

  it('derives the names, the keys and the secrets from the modules, each once', () => {
    expect(CHANNEL_NAMES).toEqual(['sns', 'email', 'dingtalk', 'feishu', 'wecom', 'slack']);
    const keys = CHANNEL_SETTINGS.map((setting) => setting.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(MODULES.flatMap((module) => module.settings.map((setting) => setting.key)));
    expect(SECRET_CHANNEL_KEYS).toEqual(
      CHANNEL_SETTINGS.filter((setting) => setting.secret).map((setting) => setting.key),
    );
  });

  it('reads every channel under its name, configured only where its keys are set', () => {
    const none = readChannels(() => undefined, []);
    expect(Object.keys(none)).toEqual([...CHANNEL_NAMES]);
    expect(configuredChannels(none)).toEqual([]);
    const all = readChannels((key) => SAMPLES[key], []);
    expect(configuredChannels(all)).toEqual([...CHANNEL_NAMES]);
    expect(all.sns).toEqual({ topicArn: SAMPLES.CERTWATCH_SNS_TOPIC_ARN });
  });
});
