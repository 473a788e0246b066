/** `certwatch emulator --count N`: a generated UCloud ULB fleet (emulator/fleet/generatedPart.ts). */
import { cachedUcloudFleet } from '../fleet/file';
import { type GeneratedFleetPart, integerFlag, listFlag } from '../fleet/generatedPart';

export const ucloudGeneratedFleet: GeneratedFleetPart<'ucloud'> = {
  provider: 'ucloud',
  flags: [
    { name: 'count', value: 'N' },
    { name: 'regions', value: 'LIST' },
    { name: 'projects', value: 'LIST' },
  ],
  countFlags: ['count'],
  prepare(values, { seed, now }) {
    const count = integerFlag('count', values.count, 0, 1_000_000) ?? 0;
    const regions = listFlag('regions', values.regions) ?? ['cn-bj2', 'cn-sh2', 'hk'];
    const projects = listFlag('projects', values.projects) ?? ['org-demo1', 'org-demo2'];
    if (count === 0) return undefined;
    return () => ({ certificates: cachedUcloudFleet({ count, seed, now, regions, projects }).certificates });
  },
};
