import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  aliyunCanonicalQuery,
  aliyunPercentEncode,
  aliyunRpcSignature,
  aliyunStringToSign,
  verifyAliyunSignature,
} from '../../../../emulator/aliyun/signature';
import { signRpcRequest, signRpcV1 } from '../../../../lib/providers/aliyun/signature';

/** Every vector of shared/reference/provider-apis.md (Alibaba RPC signature V1), secret `testsecret`. */
const DESCRIBE_REGIONS = {
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  Format: 'XML',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  SignatureVersion: '1.0',
  Timestamp: '2016-02-23T12:46:24Z',
  Version: '2014-05-26',
};
const UPLOAD_EDGE_CASES = {
  Action: 'UploadServerCertificate',
  Format: 'JSON',
  Version: '2014-05-15',
  AccessKeyId: 'testid',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
  SignatureNonce: 'n-1',
  Timestamp: '2024-01-02T03:04:05Z',
  RegionId: 'cn-hangzhou',
  ServerCertificateName: "a b*c~d+e/f!'()",
  ServerCertificate: '-----BEGIN CERTIFICATE-----\nMIIB+/==\n-----END CERTIFICATE-----\n',
  'Tag.1.Key': 'k 1',
  'Tag.1.Value': '中文',
};
const CERTIFICATE_INFO = {
  AccessKeyId: 'testid',
  Action: 'DescribeCertificateInfoByID',
  CertId: '1644xx',
  Format: 'JSON',
  Version: '2018-05-10',
  Timestamp: '2024-01-02T03:04:05Z',
  SignatureNonce: 'n-2',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
};

const VECTORS: Array<[string, string, Record<string, string>, string]> = [
  ['GET DescribeRegions (official doc)', 'GET', DESCRIBE_REGIONS, 'OLeaidS1JvxuMvnyHOwuJ+uX5qY='],
  ['POST DescribeRegions (official doc)', 'POST', DESCRIBE_REGIONS, 'MxbnVAM4w6sft9xjVpe/GCKueuk='],
  [
    "POST UploadServerCertificate: a b*c~d+e/f!'(), multi-line PEM, Tag.1.Value=中文",
    'POST',
    UPLOAD_EDGE_CASES,
    'kNkabondNqS7FdriwnPwH9JksDs=',
  ],
  ['GET DescribeCertificateInfoByID', 'GET', CERTIFICATE_INFO, 'GfRl11bNrvNTvVEi/KcxhuICOr4='],
];

/** The reference algorithm written out again, so the module is not only checked against itself. */
function referenceSignature(method: string, params: Record<string, string>, secret: string): string {
  const enc = (text: string) =>
    encodeURIComponent(text)
      .replaceAll('!', '%21')
      .replaceAll("'", '%27')
      .replaceAll('(', '%28')
      .replaceAll(')', '%29')
      .replaceAll('*', '%2A');
  const canonical = Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${enc(key)}=${enc(params[key]!)}`)
    .join('&');
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&${enc('/')}&${enc(canonical)}`)
    .digest('base64');
}

describe('Alibaba RPC signature V1: reference vectors', () => {
  it.each(VECTORS)('%s', (_name, method, params, expected) => {
    expect(aliyunRpcSignature(method, params, 'testsecret')).toBe(expected);
    expect(referenceSignature(method, params, 'testsecret')).toBe(expected);
    expect(verifyAliyunSignature(method, { ...params, Signature: expected }, 'testsecret')).toBe(true);
  });

  it.each(VECTORS)(
    '%s: refuses another secret, method or parameter value',
    (_name, method, params, expected) => {
      const signed = { ...params, Signature: expected };
      expect(verifyAliyunSignature(method, signed, 'testsecret2')).toBe(false);
      expect(verifyAliyunSignature(method === 'GET' ? 'POST' : 'GET', signed, 'testsecret')).toBe(false);
      expect(
        verifyAliyunSignature(method, { ...signed, Timestamp: '2030-01-01T00:00:00Z' }, 'testsecret'),
      ).toBe(false);
      expect(verifyAliyunSignature(method, { ...signed, Extra: '' }, 'testsecret')).toBe(false);
    },
  );

  it('signs the method in upper case', () => {
    expect(aliyunRpcSignature('get', DESCRIBE_REGIONS, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });
});

describe('Alibaba RPC signature V1: encoding', () => {
  it('percent-encodes RFC 3986 style over UTF-8', () => {
    expect(aliyunPercentEncode("a b*c~d+e/f!'()")).toBe('a%20b%2Ac~d%2Be%2Ff%21%27%28%29');
    expect(aliyunPercentEncode('中文')).toBe('%E4%B8%AD%E6%96%87');
    expect(aliyunPercentEncode('A-Za-z0-9-_.~')).toBe('A-Za-z0-9-_.~');
    expect(aliyunPercentEncode('line\nbreak=&')).toBe('line%0Abreak%3D%26');
  });

  it('sorts keys by code unit, leaves Signature out and encodes both sides', () => {
    expect(
      aliyunCanonicalQuery({ b: '2', 'Tag.10.Key': 'x', 'Tag.2.Key': 'y', A: 'a b', Signature: 's' }),
    ).toBe('A=a%20b&Tag.10.Key=x&Tag.2.Key=y&b=2');
    expect(aliyunStringToSign('POST', { A: '1' })).toBe('POST&%2F&A%3D1');
  });

  it('refuses a Signature that is missing, not base64, or padded with junk', () => {
    const good = aliyunRpcSignature('GET', CERTIFICATE_INFO, 'testsecret');
    expect(verifyAliyunSignature('GET', CERTIFICATE_INFO, 'testsecret')).toBe(false);
    expect(verifyAliyunSignature('GET', { ...CERTIFICATE_INFO, Signature: '' }, 'testsecret')).toBe(false);
    expect(verifyAliyunSignature('GET', { ...CERTIFICATE_INFO, Signature: `${good}!!` }, 'testsecret')).toBe(
      false,
    );
    expect(
      verifyAliyunSignature('GET', { ...CERTIFICATE_INFO, Signature: good.slice(0, -4) }, 'testsecret'),
    ).toBe(false);
  });
});

describe('Alibaba RPC signature V1: STS credentials (reference test vector 6)', () => {
  const ASSUME_ROLE_WITH_STS = {
    AccessKeyId: 'STS.testid',
    Action: 'AssumeRole',
    RoleArn: 'acs:ram::1234567890123456:role/ResourceDirectoryAccountAccessRole',
    RoleSessionName: 'certmon',
    DurationSeconds: '3600',
    SecurityToken: 'tok/en+1=',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'n-7',
    SignatureVersion: '1.0',
    Timestamp: '2024-01-02T03:04:05Z',
    Version: '2015-04-01',
  };
  const EXPECTED = 'MozSkj2+Cjq8FVKdnk3dxNkQp9s=';

  it('signs the SecurityToken like any parameter, in the emulator and in certwatch alike', () => {
    expect(aliyunRpcSignature('POST', ASSUME_ROLE_WITH_STS, 'testsecret')).toBe(EXPECTED);
    expect(signRpcV1(ASSUME_ROLE_WITH_STS, 'POST', 'testsecret')).toBe(EXPECTED);
    const {
      AccessKeyId,
      SecurityToken,
      Format,
      SignatureMethod,
      SignatureNonce,
      SignatureVersion,
      Timestamp,
      ...own
    } = ASSUME_ROLE_WITH_STS;
    const signed = signRpcRequest(
      own,
      'POST',
      { accessKeyId: AccessKeyId, accessKeySecret: 'testsecret', securityToken: SecurityToken },
      { timestamp: Timestamp, nonce: SignatureNonce },
    );
    expect(signed).toEqual({ ...ASSUME_ROLE_WITH_STS, Signature: EXPECTED });
    expect(verifyAliyunSignature('POST', signed, 'testsecret')).toBe(true);
    expect(verifyAliyunSignature('POST', { ...signed, SecurityToken: 'tok/en+1' }, 'testsecret')).toBe(false);
  });
});
