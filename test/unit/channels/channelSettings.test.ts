import { describe, expect, it } from 'vitest';
import { SECRET_CHANNEL_KEYS } from '../../../lib/channels/index';
import { loadConfig } from '../../../lib/config';
import { ConfigError } from '../../../lib/errors';
import { SECRET_SETTINGS } from '../../../lib/secrets/ssm';

const ucloud = { UCLOUD_PUBLIC_KEY: 'pub', UCLOUD_PRIVATE_KEY: 'priv', UCLOUD_REGIONS: 'cn-bj2' };
const TOKEN = 'tok-9f2c71';
const SECRET = 'SEC-signing-4d0e';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...ucloud, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('alert channel settings', () => {
  it('reads every channel, with none configured by default', () => {
    expect(loadConfig(ucloud).channels).toEqual({
      sns: null,
      email: null,
      dingtalk: null,
      feishu: null,
      wecom: null,
      slack: null,
    });
    const config = loadConfig({
      ...ucloud,
      CERTWATCH_EMAIL_FROM: 'certwatch <certwatch@example.com>',
      CERTWATCH_EMAIL_TO: 'ops@example.com, oncall@example.com,ops@example.com',
      CERTWATCH_DINGTALK_URL: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
      CERTWATCH_DINGTALK_SECRET: SECRET,
      CERTWATCH_FEISHU_URL: `https://open.larksuite.com/open-apis/bot/v2/hook/${TOKEN}`,
      CERTWATCH_WECOM_URL: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${TOKEN}`,
      CERTWATCH_SLACK_URL: `https://hooks.slack.com/services/T0/B0/${TOKEN}`,
    });
    expect(config.channels.email).toEqual({
      from: 'certwatch <certwatch@example.com>',
      to: ['ops@example.com', 'oncall@example.com'],
    });
    expect(config.channels.dingtalk).toEqual({
      url: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
      secret: SECRET,
    });
    expect(config.channels.feishu?.secret).toBeNull();
    expect(config.channels.wecom?.url).toContain(TOKEN);
    expect(config.channels.slack?.url).toContain(TOKEN);
  });

  it('names each mistake and its fix, and never quotes a webhook URL or secret', () => {
    const problems = problemsOf({
      CERTWATCH_EMAIL_TO: 'ops@example.com,not-an-address',
      CERTWATCH_DINGTALK_URL: `oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
      CERTWATCH_FEISHU_URL: `http://open.feishu.cn/open-apis/bot/v2/hook/${TOKEN}`,
      CERTWATCH_WECOM_URL: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?token=${TOKEN}`,
      CERTWATCH_FEISHU_SECRET: SECRET,
      CERTWATCH_SLACK_URL: `https://hooks.slack.com/workflows/${TOKEN}`,
    });
    const text = problems.join('\n');
    expect(problems).toHaveLength(6);
    expect(text).toMatch(/CERTWATCH_EMAIL_TO has entries that are not email addresses: "not-an-address"/);
    expect(text).toMatch(/CERTWATCH_EMAIL_TO is set but CERTWATCH_EMAIL_FROM is not/);
    expect(text).toMatch(/CERTWATCH_DINGTALK_URL is not a URL .*robot\/send\?access_token=/);
    expect(text).toMatch(/CERTWATCH_FEISHU_URL must be an https:\/\/ URL/);
    expect(text).toMatch(/CERTWATCH_WECOM_URL does not look like a WeCom webhook URL .*key=/);
    expect(text).toMatch(/CERTWATCH_SLACK_URL does not look like a Slack webhook URL .*services/);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
  });

  it('lists every address that is not one, and wants a sender with recipients', () => {
    expect(problemsOf({ CERTWATCH_EMAIL_FROM: 'me@x.io', CERTWATCH_EMAIL_TO: 'a@b.co,,c@d' })).toEqual([
      expect.stringMatching(/CERTWATCH_EMAIL_TO has entries that are not email addresses: \(empty\), "c@d"/),
    ]);
    expect(problemsOf({ CERTWATCH_EMAIL_FROM: 'certwatch' })).toEqual([
      expect.stringMatching(/CERTWATCH_EMAIL_FROM "certwatch" is not an email address/),
      expect.stringMatching(/CERTWATCH_EMAIL_TO is not: list the recipients/),
    ]);
  });

  it('takes a signing secret only with its URL, and plain http only to this machine', () => {
    expect(problemsOf({ CERTWATCH_DINGTALK_SECRET: SECRET })).toEqual([
      'CERTWATCH_DINGTALK_SECRET is set but CERTWATCH_DINGTALK_URL is not: set the DingTalk webhook URL too',
    ]);
    const local = loadConfig({ ...ucloud, CERTWATCH_SLACK_URL: 'http://127.0.0.1:8080/services/T/B/x' });
    expect(local.channels.slack?.url).toBe('http://127.0.0.1:8080/services/T/B/x');
  });

  it('reads webhook URLs and secrets from SSM in Lambda, as it does the provider keys', () => {
    for (const key of SECRET_CHANNEL_KEYS) expect(SECRET_SETTINGS).toContain(key);
    expect(SECRET_SETTINGS).not.toContain('CERTWATCH_EMAIL_TO');
  });
});
