import { GetParametersCommand, type GetParametersCommandOutput, type SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { readSecretParameters, secretParameters } from '../../../lib/secrets/ssm';

/** A fake SSM holding `stored`; names listed in `denied` make the whole call fail, as IAM does. */
function fakeSsm(
  stored: Record<string, { Value: string; Type: 'SecureString' | 'String' }>,
  denied: string[] = [],
) {
  const calls: string[][] = [];
  const ssm: Pick<SSMClient, 'send'> = {
    send: (async (command: GetParametersCommand) => {
      expect(command).toBeInstanceOf(GetParametersCommand);
      expect(command.input.WithDecryption).toBe(true);
      const names = command.input.Names ?? [];
      calls.push(names);
      if (names.some((name) => denied.includes(name))) {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
      }
      const Parameters = names.filter((name) => stored[name]).map((Name) => ({ Name, ...stored[Name] }));
      const InvalidParameters = names.filter((name) => !stored[name]);
      return { Parameters, InvalidParameters, $metadata: {} } satisfies GetParametersCommandOutput;
    }) as Pick<SSMClient, 'send'>['send'],
  };
  return { ssm, calls };
}

describe('readSecretParameters', () => {
  it('reads each named parameter once, and says which are missing', async () => {
    const env = {
      UCLOUD_PUBLIC_KEY_PARAMETER: '/cw/public',
      UCLOUD_PRIVATE_KEY_PARAMETER: ' /cw/missing ',
      ALIBABA_CLOUD_ACCESS_KEY_ID_PARAMETER: '/cw/public',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET_PARAMETER: '',
    };
    const { ssm, calls } = fakeSsm({ '/cw/public': { Value: 'v1', Type: 'String' } });
    expect(await readSecretParameters(env, ssm)).toEqual([
      { setting: 'UCLOUD_PUBLIC_KEY', name: '/cw/public', outcome: 'read', value: 'v1', type: 'String' },
      { setting: 'UCLOUD_PRIVATE_KEY', name: '/cw/missing', outcome: 'missing' },
      {
        setting: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
        name: '/cw/public',
        outcome: 'read',
        value: 'v1',
        type: 'String',
      },
    ]);
    expect(calls).toEqual([['/cw/public', '/cw/missing']]);
  });

  it('marks the parameters of a failed call unreadable, with the error', async () => {
    const { ssm } = fakeSsm({}, ['/cw/a']);
    const [reading] = await readSecretParameters({ UCLOUD_PUBLIC_KEY_PARAMETER: '/cw/a' }, ssm);
    expect(reading).toMatchObject({ setting: 'UCLOUD_PUBLIC_KEY', name: '/cw/a', outcome: 'unreadable' });
    expect(reading?.outcome === 'unreadable' && (reading.error as Error).name).toBe('AccessDeniedException');
  });

  it('lists nothing when no parameter is named', () => {
    expect(secretParameters({ UCLOUD_PUBLIC_KEY: 'x' })).toEqual([]);
  });
});
