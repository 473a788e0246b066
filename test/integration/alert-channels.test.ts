/**
 * One scheduled run of the Lambda handler, configured as deployed (webhook URLs and secrets in SSM SecureStrings,
 * alert history in DynamoDB), alerting four channels at once: SNS (read back through SQS), SES (read back from
 * moto's data.json), Slack and DingTalk (local receivers that check each platform's request and signature).
 * DingTalk is down for the first run: the run fails naming it, the other three are delivered the same alerts,
 * and the next run sends DingTalk exactly what it missed and nothing to the others.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler } from '../../functions/scan';
import type { ScanResult } from '../../lib/run';
import { createTableInput } from '../../lib/state/dynamodb';
import { createJsonLogger } from '../../lib/telemetry/log';
import { auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { type DingtalkReceiver, startDingtalkReceiver } from '../helpers/receivers/dingtalk';
import { type SlackReceiver, startSlackReceiver } from '../helpers/receivers/slack';
import { receive, topicWithQueue } from '../helpers/snsQueue';

const HOUR = 3_600_000;
const DINGTALK_TOKEN = 'channels-dingtalk-token-4e1a';
const DINGTALK_SECRET = 'SECchannels-dingtalk-secret-77c0';
const FROM = 'certwatch@example.com';
const TO = 'ops@example.com';

let moto: MotoServer;
let emulator: RunningEmulator;
let slack: SlackReceiver;
let dingtalk: DingtalkReceiver;

beforeAll(async () => {
  [moto, emulator, slack, dingtalk] = await Promise.all([
    startMoto(),
    startEmulator({ fleet: auditFleet(40).fleet }),
    startSlackReceiver(),
    startDingtalkReceiver({ token: DINGTALK_TOKEN, secret: DINGTALK_SECRET }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([moto?.stop(), emulator?.close(), slack?.close(), dingtalk?.close()]);
});

async function sesMessages(): Promise<{ subject: string; body: string; source: string }[]> {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    ses?: { Message?: { subject: string; body: string; source: string }[] };
  };
  return data.ses?.Message ?? [];
}

it('one run alerts SNS, SES and two webhooks; a failing channel is named, the rest delivered, and it later gets only what it missed', async () => {
  const aws = motoClientConfig(moto.endpoint);
  const [sns, sqs, ssm, ses, dynamo] = [
    new SNSClient(aws),
    new SQSClient(aws),
    new SSMClient(aws),
    new SESv2Client(aws),
    new DynamoDBClient(aws),
  ];
  try {
    const { topicArn, queueUrl } = await topicWithQueue(sns, sqs, 'channels');
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: FROM }));
    await dynamo.send(new CreateTableCommand(createTableInput('channels-state')));
    const secrets = {
      CERTWATCH_SLACK_URL: slack.url,
      CERTWATCH_DINGTALK_URL: `${dingtalk.origin}/robot/send?access_token=${DINGTALK_TOKEN}`,
      CERTWATCH_DINGTALK_SECRET: DINGTALK_SECRET,
    };
    const env: Record<string, string> = {
      ...auditEnv(emulator.ucloudUrl),
      CERTWATCH_SNS_TOPIC_ARN: topicArn,
      CERTWATCH_STATE_TABLE: 'channels-state',
      CERTWATCH_EMAIL_FROM: FROM,
      CERTWATCH_EMAIL_TO: TO,
    };
    for (const [key, value] of Object.entries(secrets)) {
      const name = `/certwatch/channels/${key.toLowerCase()}`;
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
      env[`${key}_PARAMETER`] = name;
    }
    const logs: string[] = [];
    // A new container per run, as after a deploy: each builds its channels from the environment and SSM.
    const handlerAt = (now: number) =>
      createHandler(env, {
        awsClientConfig: aws,
        // The platforms' pacing (DingTalk: 3 s between messages) is not waited out here; webhook tests check it.
        webhookOptions: { sleep: async () => {} },
        clock: () => now,
        sleep: async () => {},
        log: createJsonLogger({ write: (line) => logs.push(line) }),
        emitMetric: () => {},
      });
    const context = (id: string) => ({ getRemainingTimeInMillis: () => 300_000, awsRequestId: id });

    // Run 1: DingTalk answers 502 to every attempt.
    dingtalk.failWith(4, { status: 502 });
    const first = handlerAt(NOW)({ source: 'aws.events' }, context('run-1'));
    await expect(first).rejects.toThrow(
      /1 of 4 alert channels failed \(dingtalk\); delivered to sns, email, slack\..*DingTalk webhook \(127\.0\.0\.1:\d+\) did not take the digest: HTTP 502/,
    );
    const failedLine = logs.map((line) => JSON.parse(line)).find((line) => line.message === 'channel failed');
    expect(failedLine).toMatchObject({ channel: 'dingtalk' });

    // SNS: the digest and one structured message per alert.
    const notifications = await receive(sqs, queueUrl, 100, 8_000);
    const snsDigest = notifications.filter((n) => n.Subject !== undefined);
    const structured = notifications
      .filter((n) => n.Subject === undefined)
      .map((n) => JSON.parse(n.Message) as { certificate?: { id: string } })
      .filter((body) => body.certificate !== undefined);
    expect(snsDigest).toHaveLength(1);
    const ids = structured.map((body) => body.certificate!.id).sort();
    expect(ids.length).toBeGreaterThan(3);
    expect(new Set(ids).size).toBe(ids.length);

    // The same alerts, each once, on every channel that took the digest.
    const [email] = await sesMessages();
    expect(await sesMessages()).toHaveLength(1);
    expect(email).toMatchObject({ source: FROM, subject: snsDigest[0]!.Subject });
    const slackText = slack.accepted.map((message) => JSON.stringify(message.blocks)).join('\n');
    expect(slack.problems).toEqual([]);
    for (const id of ids) {
      expect(snsDigest[0]!.Message).toContain(`(${id})`);
      expect(email!.body).toContain(`(${id})`);
      expect(slackText).toContain(`(${id})`);
    }
    expect(dingtalk.delivered).toEqual([]);
    const slackMessages = slack.accepted.length;

    // Run 2, an hour later: DingTalk is back. It alone gets a digest, and it tells exactly the alerts it missed.
    const second = (await handlerAt(NOW + HOUR)({ source: 'aws.events' }, context('run-2'))) as ScanResult;
    expect(second.channels.map((c) => [c.channel, c.delivered, c.digest !== null])).toEqual([
      ['sns', true, false],
      ['email', true, false],
      ['dingtalk', true, true],
      ['slack', true, false],
    ]);
    expect(await receive(sqs, queueUrl, 1, 3_000)).toEqual([]);
    expect(await sesMessages()).toHaveLength(1);
    expect(slack.accepted).toHaveLength(slackMessages);
    expect(dingtalk.refused.filter((why) => !why.startsWith('HTTP 502'))).toEqual([]);
    const dingtalkText = dingtalk.delivered.map((message) => message.text).join('\n');
    for (const id of ids) expect(dingtalkText).toContain(`(${id})`);

    // No webhook token or signing secret in any log line.
    const logText = logs.join('\n');
    for (const secret of [DINGTALK_TOKEN, DINGTALK_SECRET, slack.url.split('/').pop()!]) {
      expect(logText).not.toContain(secret);
    }
  } finally {
    for (const client of [sns, sqs, ssm, ses, dynamo]) client.destroy();
  }
}, 120_000);
