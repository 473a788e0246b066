/**
 * Our V1 signer against Alibaba's own @alicloud/openapi-util (a devDependency, used only here), over randomised
 * parameters: spaces, `*`, `~`, `+`, `/`, quotes, non-ASCII, multi-line PEM values.
 */
import OpenApiUtil from '@alicloud/openapi-util';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { signRpcV1 } from '../../../../lib/providers/aliyun/signature';

const special = fc.constantFrom(
  ' ',
  '*',
  '~',
  '+',
  '/',
  '!',
  "'",
  '(',
  ')',
  '&',
  '=',
  '%',
  '\n',
  '\r\n',
  '中',
  '文',
  'é',
  '😀',
);
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.array(fc.oneof(special, fc.string({ maxLength: 4 })), { maxLength: 12 }).map((parts) => parts.join('')),
  fc
    .base64String({ minLength: 4, maxLength: 200 })
    .map((b64) => `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`),
);
const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}(\.[0-9]{1,2}\.[A-Za-z]{1,6})?$/);

it('signs exactly as @alicloud/openapi-util does, for random parameters, GET and POST', () => {
  fc.assert(
    fc.property(
      fc.dictionary(key, value, { minKeys: 1, maxKeys: 12 }),
      fc.constantFrom('GET' as const, 'POST' as const),
      fc.string({ minLength: 1, maxLength: 40 }),
      (generated, method, secret) => {
        const params = { ...generated };
        const theirs = OpenApiUtil.getRPCSignature(params, method, secret);
        expect(signRpcV1(params, method, secret)).toBe(theirs);
      },
    ),
    { numRuns: 2000 },
  );
});
