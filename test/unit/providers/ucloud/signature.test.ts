import { describe, expect, it } from 'vitest';
import { signUcloudParams } from '../../../../lib/providers/ucloud/signature';

// Vectors from ../shared/reference/provider-apis.md (UCloud API docs, ucloud-sdk-go ucloud/auth).
const PUBLIC_KEY = 'ucloudsomeone@example.com1296235120854146120';
const PRIVATE_KEY = '46f09bb9fab4f12dfc160dae12273d5332b5debe';

describe('signUcloudParams', () => {
  it('signs the documented DescribeUHostInstance example', () => {
    const params = { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10, PublicKey: PUBLIC_KEY };
    expect(signUcloudParams(params, PRIVATE_KEY)).toBe('cba5cf5ec4d4233d206b1b54951e3787350a642f');
  });

  it('sorts keys as plain strings (Backends.10 before Backends.2) and writes 42.0 as 42', () => {
    const params: Record<string, string | number> = { Action: 'AllocateBackendBatch', PublicKey: PUBLIC_KEY };
    const values = ['foo', 'bar', 42.0];
    for (let i = 0; i < 12; i++) params[`Backends.${i}`] = values[i % 3]!;
    expect(signUcloudParams(params, PRIVATE_KEY)).toBe('6bc32642779f8cb0bb3d3f128b1c0688abf9a1a3');
  });

  it('includes SecurityToken and ProjectId like any other parameter', () => {
    const params = {
      Action: 'foo',
      Name: 'foo',
      ProjectId: 'bar',
      Region: 'cn-bj2',
      SecurityToken: 42,
      Zone: 'cn-bj2-02',
      PublicKey: 'foo',
    };
    expect(signUcloudParams(params, 'bar')).toBe('170de002e3ca3acdc3a790badc4d14b09d183e4b');
  });

  it('ignores an existing Signature and skips null and undefined values', () => {
    const base = { Action: 'DescribeUHostInstance', Region: 'cn-bj2', Limit: 10, PublicKey: PUBLIC_KEY };
    const noisy = { ...base, Signature: 'stale', ProjectId: null, Offset: undefined };
    expect(signUcloudParams(noisy, PRIVATE_KEY)).toBe(signUcloudParams(base, PRIVATE_KEY));
  });

  it('writes booleans as true/false', () => {
    const withTrue = signUcloudParams({ Action: 'a', Flag: true, PublicKey: 'p' }, 'k');
    const withText = signUcloudParams({ Action: 'a', Flag: 'true', PublicKey: 'p' }, 'k');
    expect(withTrue).toBe(withText);
  });
});
