import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Secrets {
  environment: Record<string, string>;
  providers: string;
  resource: unknown;
}
const { secretParameters } = createRequire(import.meta.url)('../../../deploy/secretParameters.cjs') as {
  secretParameters: (params: { ssmPath: unknown; names: Record<string, unknown> }) => Secrets;
};

describe('secretParameters', () => {
  it('lets the functions read the stage’s path only, in the stack’s own partition', () => {
    const secrets = secretParameters({
      ssmPath: '/certwatch/prod',
      names: {
        UCLOUD_PUBLIC_KEY_PARAMETER: ' /certwatch/prod/ucloud/public-key ',
        UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/prod/ucloud/private-key',
        ALIBABA_CLOUD_ACCESS_KEY_ID_PARAMETER: '',
        CERTWATCH_SLACK_URL_PARAMETER: '',
      },
    });
    expect(secrets.environment).toEqual({
      UCLOUD_PUBLIC_KEY_PARAMETER: '/certwatch/prod/ucloud/public-key',
      UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/prod/ucloud/private-key',
      ALIBABA_CLOUD_ACCESS_KEY_ID_PARAMETER: '',
      CERTWATCH_SLACK_URL_PARAMETER: '',
    });
    expect(secrets.providers).toBe('ucloud');
    expect(secrets.resource).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
      'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/certwatch/prod/*',
    });
    expect(
      secretParameters({
        ssmPath: '/certwatch/dev',
        names: { ALIBABA_CLOUD_ACCESS_KEY_SECRET_PARAMETER: '/certwatch/dev/aliyun/secret' },
      }).providers,
    ).toBe('aliyun');
  });

  it('refuses a parameter outside the path, saying where to move it or which path would read it', () => {
    expect(() =>
      secretParameters({
        ssmPath: '/certwatch/prod',
        names: {
          UCLOUD_PRIVATE_KEY_PARAMETER: '/certwatch/ucloud/private-key',
          // A sibling path that only shares the prefix's characters is outside too.
          CERTWATCH_SLACK_URL_PARAMETER: '/certwatch/production/slack/url',
        },
      }),
    ).toThrow(
      new Error(
        'UCLOUD_PRIVATE_KEY_PARAMETER names /certwatch/ucloud/private-key, outside ssmPath /certwatch/prod: the ' +
          'functions may read only parameters under /certwatch/prod/. Store it as ' +
          '/certwatch/prod/ucloud/private-key and name that (README "Moving the keys under the stage\'s path"); ' +
          'or, until you do, deploy with --param="ssmPath=/certwatch", which lets this stage read every ' +
          'parameter under /certwatch.\n' +
          'CERTWATCH_SLACK_URL_PARAMETER names /certwatch/production/slack/url, outside ssmPath /certwatch/prod: ' +
          'the functions may read only parameters under /certwatch/prod/. Store it as ' +
          '/certwatch/prod/production/slack/url and name that (README "Moving the keys under the stage\'s ' +
          'path"); or, until you do, deploy with --param="ssmPath=/certwatch", which lets this stage read every ' +
          'parameter under /certwatch.',
      ),
    );
  });

  it('refuses an ssmPath that is not an SSM path, or would widen the grant', () => {
    for (const ssmPath of ['certwatch', '/certwatch/', '/certwatch/*', '/', '', '/a b']) {
      expect(() => secretParameters({ ssmPath, names: {} }), ssmPath).toThrow(
        `ssmPath "${ssmPath}" must be an SSM path such as /certwatch/prod`,
      );
    }
  });
});
