/** Where the README tells people to keep each secret, under the dev stage's default ssmPath (/certwatch/dev). */
import type { SECRET_SETTINGS } from '../../lib/secrets/ssm';

export const DEV_PARAMETER_NAMES: Record<(typeof SECRET_SETTINGS)[number], string> = {
  UCLOUD_PUBLIC_KEY: '/certwatch/dev/ucloud/public-key',
  UCLOUD_PRIVATE_KEY: '/certwatch/dev/ucloud/private-key',
  ALIBABA_CLOUD_ACCESS_KEY_ID: '/certwatch/dev/aliyun/access-key-id',
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: '/certwatch/dev/aliyun/access-key-secret',
  CERTWATCH_DINGTALK_URL: '/certwatch/dev/dingtalk/url',
  CERTWATCH_DINGTALK_SECRET: '/certwatch/dev/dingtalk/secret',
  CERTWATCH_FEISHU_URL: '/certwatch/dev/feishu/url',
  CERTWATCH_FEISHU_SECRET: '/certwatch/dev/feishu/secret',
  CERTWATCH_WECOM_URL: '/certwatch/dev/wecom/url',
  CERTWATCH_SLACK_URL: '/certwatch/dev/slack/url',
};
