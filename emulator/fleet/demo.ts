/**
 * The fleet `certwatch demo` and a bare `certwatch emulator` serve: a few hundred certificates over three
 * regions and three projects, laid around the given clock so the report always shows every status.
 */
import { generateUcloudFleet } from './generate';
import type { Fleet } from './model';

const DEMO_SEED = 20_260_101;
const DEMO_REGIONS = ['cn-bj2', 'cn-sh2', 'hk'];
const DEMO_PROJECTS = ['org-web', 'org-pay', 'org-ops'];
/** A project that exists but holds nothing: a scan must list it without complaint. */
const DEMO_EMPTY_PROJECT = 'org-sandbox';

/** The demo fleet for the clock `now` (epoch ms), with one account that may read every project. */
export function demoFleet(now: number): Fleet {
  const projects = [...DEMO_PROJECTS, DEMO_EMPTY_PROJECT];
  return {
    ucloud: {
      accounts: [{ PublicKey: 'demo-public-key', PrivateKey: 'demo-private-key', Projects: projects }],
      projects,
      certificates: generateUcloudFleet({
        count: 300,
        seed: DEMO_SEED,
        now,
        regions: DEMO_REGIONS,
        projects: DEMO_PROJECTS,
      }),
    },
  };
}
