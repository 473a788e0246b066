/**
 * Secrets at runtime: the handler's environment holds only SSM parameter names; the keys come from SecureStrings
 * in moto's SSM at cold start. A missing parameter is an error naming it, and no value is ever echoed.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../emulator/server';
import { createHandler } from '../../functions/scan';
import type { ReportJson } from '../../lib/report/json';
import { resolveSecretParameters } from '../../lib/secrets/ssm';
import { ACCOUNT, auditEnv, auditFleet, NOW } from '../helpers/fleet';
import { type MotoServer, motoClientConfig, startMoto } from '../helpers/moto';
import { quietTelemetry } from '../helpers/telemetry';

let moto: MotoServer;
let ssm: SSMClient;
let emulator: RunningEmulator;

beforeAll(async () => {
  [moto, emulator] = await Promise.all([startMoto(), startEmulator({ fleet: auditFleet(0).fleet })]);
  ssm = new SSMClient(motoClientConfig(moto.endpoint));
  for (const [Name, Value] of [
    ['/certwatch/ucloud/public-key', ACCOUNT.PublicKey],
    ['/certwatch/ucloud/private-key', ACCOUNT.PrivateKey],
  ]) {
    await ssm.send(new PutParameterCommand({ Name, Value, Type: 'SecureString' }));
  }
}, 60_000);

afterAll(async () => {
  ssm?.destroy();
  await Promise.all([moto?.stop(), emulator?.close()]);
});

/** The environment of the deployed function: parameter names, no keys. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const { UCLOUD_PUBLIC_KEY: _public, UCLOUD_PRIVATE_KEY: _private, ...rest } = auditEnv(emulator.ucloudUrl);
  return {
    ...rest,
    UCLOUD_PUBLIC_KEY_PARAMETER: '/certwatch/ucloud/public-key',
    UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/ucloud/private-key',
    ...extra,
  };
}

it('reads the provider keys from SSM SecureStrings and scans with them', async () => {
  const handler = createHandler(env(), { ssm, clock: () => NOW, ...quietTelemetry });
  const report = (await handler({ mode: 'audit' })) as ReportJson;
  expect(report.failures).toEqual([]);
  expect(report.certificates.length).toBeGreaterThan(0);
  expect(JSON.stringify(report)).not.toContain(ACCOUNT.PrivateKey);
});

it('names a missing parameter, echoes no value, and tries again on the next invocation', async () => {
  const handler = createHandler(env({ UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/ucloud/nope' }), {
    ssm,
    clock: () => NOW,
  });
  const error = (await handler({ mode: 'audit' }).catch((e: unknown) => e)) as Error;
  expect(error.message).toBe(
    'Configuration error: UCLOUD_PRIVATE_KEY_PARAMETER names SSM parameter /certwatch/ucloud/nope, which does not ' +
      'exist: create it (SecureString)',
  );
  expect(error.message).not.toContain(ACCOUNT.PublicKey);
  await ssm.send(
    new PutParameterCommand({
      Name: '/certwatch/ucloud/nope',
      Value: ACCOUNT.PrivateKey,
      Type: 'SecureString',
    }),
  );
  expect(((await handler({ mode: 'audit' })) as ReportJson).failures).toEqual([]);
});

it('leaves an environment without parameter names alone', async () => {
  const plain = { UCLOUD_REGIONS: 'cn-bj2' };
  expect(await resolveSecretParameters(plain, ssm)).toBe(plain);
});
