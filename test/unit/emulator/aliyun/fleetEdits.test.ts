/**
 * The edits a test's hook may make to the emulated Alibaba account (CAS certificates, HTTPS domains, listener
 * certificates) and the page cap that makes a small fleet span pages: what the fault matrix relies on.
 */
import { describe, expect, it } from 'vitest';
import { createAliyunAccounts } from '../../../../emulator/aliyun/accounts';
import { createCasActions } from '../../../../emulator/aliyun/cas';
import { createDcdnActions } from '../../../../emulator/aliyun/httpsDomains';
import { createNlbActions } from '../../../../emulator/aliyun/nlb';
import { createAliyunStore } from '../../../../emulator/aliyun/store';
import {
  generateAliyunCasFleet,
  generateAliyunHttpsDomains,
  generateAliyunLoadBalancerFleet,
} from '../../../../emulator/fleet/generate';
import type { Fleet } from '../../../../emulator/fleet/model';
import { NOW } from '../../../helpers/fleet';

const cas = generateAliyunCasFleet({ count: 5, seed: 1, now: NOW });
const domains = generateAliyunHttpsDomains({ count: 5, seed: 2, now: NOW, product: 'DCDN' });
const nlb = generateAliyunLoadBalancerFleet({ product: 'nlb', count: 6, seed: 3, regions: ['cn-hangzhou'] });
const fleet: Fleet = {
  aliyun: { cas: { certificates: cas }, dcdnDomains: { domains }, nlb: { loadBalancers: nlb } },
};
const listener = nlb.flatMap((lb) => lb.listeners).find((l) => l.certificates.length > 0)!;

describe('the Alibaba fleet editor', () => {
  it('adds and removes CAS certificates, HTTPS domains and listener certificates, never touching the fleet', () => {
    const store = createAliyunStore(fleet.aliyun);
    const id = String(cas[0]!.CertificateId);
    expect(store.removeCasCertificate(id)).toBe(true);
    expect(store.removeCasCertificate(id)).toBe(false);
    expect(store.casCertificate(id)).toBeUndefined();
    store.addCasCertificate({ ...cas[1]!, CertificateId: 42 }, 'first');
    expect(store.casCertificates()[0]!.CertificateId).toBe(42);
    expect(store.casCertificate('42')?.CertificateId).toBe(42);

    expect(store.removeHttpsDomain('dcdn', domains[0]!.DomainName)).toBe(true);
    expect(store.removeHttpsDomain('dcdn', 'nope.example')).toBe(false);
    expect(store.removeHttpsDomain('cdn', domains[1]!.DomainName)).toBe(false);
    store.addHttpsDomain('dcdn', { ...domains[1]!, DomainName: 'added.example' }, 'last');
    expect(
      store
        .dcdnDomains()!
        .map((d) => d.DomainName)
        .at(-1),
    ).toBe('added.example');

    const certificateId = listener.certificates[0]!.CertificateId;
    expect(store.removeListenerCertificate('nlb', listener.ListenerId, certificateId)).toBe(true);
    expect(store.removeListenerCertificate('nlb', listener.ListenerId, certificateId)).toBe(false);
    expect(
      store.addListenerCertificate('nlb', listener.ListenerId, { CertificateId: 'x', IsDefault: false }),
    ).toBe(true);
    expect(
      store.addListenerCertificate('alb', listener.ListenerId, { CertificateId: 'y', IsDefault: false }),
    ).toBe(false);
    expect(
      store.listener('nlb', listener.ListenerId)!.listener.certificates.map((c) => c.CertificateId),
    ).toEqual(['x']);

    // The fleet itself is unchanged: another emulator of it sees it whole.
    expect(listener.certificates[0]!.CertificateId).toBe(certificateId);
    expect(fleet.aliyun!.cas!.certificates).toHaveLength(5);
    expect(createAliyunStore(fleet.aliyun).dcdnDomains()).toHaveLength(5);
  });

  it('serves pages no larger than the page cap, and says so where the reply has a page size', () => {
    const accounts = createAliyunAccounts(fleet);
    const store = accounts.main.store;
    const caller = { account: accounts.main, accessKeyId: 'demo-access-key-id', temporary: false };
    const now = NOW;
    const orders = createCasActions().ListUserCertificateOrder!({
      params: { OrderType: 'CERT', ShowSize: '50' },
      store,
      now,
      pageCap: 2,
      caller,
      accounts,
    });
    expect(orders).toMatchObject({ ok: true, body: { ShowSize: 2 } });
    expect(
      (orders as unknown as { body: { CertificateOrderList: unknown[] } }).body.CertificateOrderList,
    ).toHaveLength(2);

    const page2 = createDcdnActions().DescribeDcdnHttpsDomainList!({
      params: { PageNumber: '2', PageSize: '500' },
      store,
      now,
      pageCap: 2,
      caller,
      accounts,
    });
    const names = (page2 as unknown as { body: { CertInfos: { CertInfo: { DomainName: string }[] } } }).body
      .CertInfos.CertInfo;
    expect(names.map((d) => d.DomainName)).toEqual(domains.slice(2, 4).map((d) => d.DomainName));

    const listeners = createNlbActions().ListListeners!({
      params: { RegionId: 'cn-hangzhou', MaxResults: '100' },
      store,
      now,
      pageCap: 2,
      caller,
      accounts,
    });
    expect(listeners).toMatchObject({ ok: true, body: { MaxResults: 2 } });
    expect(
      (listeners as unknown as { body: { Listeners: unknown[]; NextToken: string } }).body.Listeners,
    ).toHaveLength(2);
    expect((listeners as unknown as { body: { NextToken: string } }).body.NextToken).not.toBe('');
  });
});
