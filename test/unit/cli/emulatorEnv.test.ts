import { describe, expect, it } from 'vitest';
import { describeFleet, requestsServed } from '../../../cli/emulatorEnv';
import type { Fleet } from '../../../emulator/fleet/model';

/** Only the lengths are read: stand-in certificates of the right count. */
const certificates = (count: number) => Array.from({ length: count }, () => ({}));

describe('the emulator wiring over every provider', () => {
  it('counts a fleet per provider and service, in registry order, leaving out the empty ones', () => {
    expect(describeFleet({} as Fleet)).toBe('no certificates');
    expect(describeFleet({ aliyun: { slb: { certificates: certificates(60) } } } as unknown as Fleet)).toBe(
      '60 Alibaba SLB certificates',
    );
    const fleet = {
      ucloud: { certificates: certificates(3) },
      aliyun: { cdn: { certificates: certificates(2) }, slb: { certificates: certificates(1) } },
    } as unknown as Fleet;
    expect(describeFleet(fleet)).toBe('3 UCloud ULB, 2 Alibaba CDN and 1 Alibaba SLB certificates');
  });

  it('adds up the requests every provider was served', () => {
    const stats = { ucloud: { requests: 5 }, aliyun: { cdn: { requests: 2 }, slb: { requests: 1 } } };
    expect(requestsServed({ stats } as unknown as Parameters<typeof requestsServed>[0])).toBe(8);
  });
});
