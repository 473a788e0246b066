import { describe, expect, it } from 'vitest';
import { percentEncode, signRpcRequest, signRpcV1 } from '../../../../lib/providers/aliyun/signature';

// Vectors from ../shared/reference/provider-apis.md (Alibaba "Request signature" doc; @alicloud/pop-core).
const common = {
  AccessKeyId: 'testid',
  SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0',
};

describe('signRpcV1', () => {
  const describeRegions = {
    ...common,
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };

  it('signs the documented DescribeRegions example, GET and POST', () => {
    expect(signRpcV1(describeRegions, 'GET', 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(signRpcV1(describeRegions, 'POST', 'testsecret')).toBe('MxbnVAM4w6sft9xjVpe/GCKueuk=');
  });

  it('encodes spaces, *, ~, +, /, quotes, parentheses, newlines and non-ASCII as the service does', () => {
    const params = {
      ...common,
      Action: 'UploadServerCertificate',
      Format: 'JSON',
      Version: '2014-05-15',
      SignatureNonce: 'n-1',
      Timestamp: '2024-01-02T03:04:05Z',
      RegionId: 'cn-hangzhou',
      ServerCertificateName: "a b*c~d+e/f!'()",
      ServerCertificate: '-----BEGIN CERTIFICATE-----\nMIIB+/==\n-----END CERTIFICATE-----\n',
      'Tag.1.Key': 'k 1',
      'Tag.1.Value': '中文',
    };
    expect(signRpcV1(params, 'POST', 'testsecret')).toBe('kNkabondNqS7FdriwnPwH9JksDs=');
  });

  it('signs a CDN DescribeCertificateInfoByID GET', () => {
    const params = {
      ...common,
      Action: 'DescribeCertificateInfoByID',
      CertId: '1644xx',
      Format: 'JSON',
      Version: '2018-05-10',
      Timestamp: '2024-01-02T03:04:05Z',
      SignatureNonce: 'n-2',
    };
    expect(signRpcV1(params, 'GET', 'testsecret')).toBe('GfRl11bNrvNTvVEi/KcxhuICOr4=');
  });

  it('signs CAS ListCloudResources with CertIds as one JSON-array parameter (reference vector 5)', () => {
    const params = {
      ...common,
      Action: 'ListCloudResources',
      CertIds: '[123,456]',
      CloudName: 'aliyun',
      CloudProduct: 'ALB',
      CurrentPage: '1',
      ShowSize: '50',
      Format: 'JSON',
      SignatureNonce: 'n-6',
      Timestamp: '2024-01-02T03:04:05Z',
      Version: '2020-04-07',
    };
    expect(signRpcV1(params, 'POST', 'testsecret')).toBe('DyZ+XygdJbDVol2ZLc02NXKguqw=');
  });

  it('ignores an existing Signature parameter', () => {
    expect(signRpcV1({ ...describeRegions, Signature: 'stale' }, 'GET', 'testsecret')).toBe(
      'OLeaidS1JvxuMvnyHOwuJ+uX5qY=',
    );
  });
});

describe('percentEncode', () => {
  it('follows RFC 3986 as Alibaba uses it', () => {
    expect(percentEncode("a b*c~d+e/f!'()")).toBe('a%20b%2Ac~d%2Be%2Ff%21%27%28%29');
    expect(percentEncode('中')).toBe('%E4%B8%AD');
  });
});

describe('signRpcRequest', () => {
  it('adds the common parameters, the STS token when there is one, and the signature', () => {
    const signed = signRpcRequest(
      { Action: 'DescribeServerCertificates', Version: '2014-05-15', RegionId: 'cn-hangzhou' },
      'GET',
      { accessKeyId: 'testid', accessKeySecret: 'testsecret', securityToken: 'sts-token' },
      { timestamp: '2024-01-02T03:04:05Z', nonce: 'n-3' },
    );
    const { Signature, ...rest } = signed;
    expect(rest).toEqual({
      Action: 'DescribeServerCertificates',
      Version: '2014-05-15',
      RegionId: 'cn-hangzhou',
      Format: 'JSON',
      AccessKeyId: 'testid',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: 'n-3',
      Timestamp: '2024-01-02T03:04:05Z',
      SecurityToken: 'sts-token',
    });
    expect(Signature).toBe(signRpcV1(rest, 'GET', 'testsecret'));
  });
});
