/**
 * The behaviour every AlertStateStore owes its callers, as one suite each implementation runs:
 *
 *   describeAlertStateStore('FileStateStore', () => new FileStateStore(path()), {
 *     reopen: (store) => new FileStateStore(store.path),
 *   });
 *
 * `makeStore` is called once per test and must return an empty store of its own; `reopen` returns a new instance
 * on the same backing (the same file, the same table), as the next run would build it.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AlertHistory,
  type AlertStateStore,
  type ClaimRequest,
  certificateKey,
} from '../../../lib/state/store';

const KEY = certificateKey({
  provider: 'ucloud',
  service: 'ulb',
  region: 'cn-bj2',
  project: 'org-a',
  id: 'ssl-web',
});
const OTHER_KEY = certificateKey({
  provider: 'aliyun',
  service: 'cdn',
  region: 'cn-hangzhou',
  project: null,
  id: 'cdn.example.com',
});
const T0 = Date.parse('2026-11-23T12:00:00.000Z');
const LEASE_MS = 15 * 60_000;
const NOT_AFTER = Date.parse('2026-12-20T00:00:00Z');

/** `ms` after T0. */
function plus(ms: number): number {
  return T0 + ms;
}

function request(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    certificateKey: KEY,
    rung: 'd30',
    notAfterMs: NOT_AFTER,
    nowMs: T0,
    leaseMs: LEASE_MS,
    ...overrides,
  };
}

/** Every rung the ladder and the plan write: day steps, a share of lifetime, expired, a reminder, unknown. */
const RUNGS = ['d30', 'd14', 'd7', 'd3', 'd1', 'p20', 'expired', 'expired@2026-11-24', 'unknown'];
const NOT_AFTERS = [NOT_AFTER, null];
/** How an alert can be left: claimed only, its digest out (lease kept or ended), delivered. */
const ENDINGS = ['sending', 'digested', 'digested, lease kept', 'sent'] as const;
const OWNERS = [undefined, 'c0ffee00-request-id'];

export interface StoreContractOptions<S extends AlertStateStore> {
  /** A new instance on the same backing as `store`: what the next run would read. */
  reopen: (store: S) => AlertStateStore | Promise<AlertStateStore>;
}

export function describeAlertStateStore<S extends AlertStateStore>(
  name: string,
  makeStore: () => S | Promise<S>,
  options: StoreContractOptions<S>,
): void {
  describe(`${name} (AlertStateStore contract)`, () => {
    let store: S;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('reads back, in a new instance, every rung and state it wrote, with and without a known notAfter', async () => {
      const written = new Map<string, AlertHistory>();
      for (const rung of RUNGS) {
        for (const notAfterMs of NOT_AFTERS) {
          for (const ending of ENDINGS) {
            for (const owner of OWNERS) {
              const key = `ucloud/ulb/cn-bj2/org-a/${rung}-${notAfterMs ?? 'none'}-${ending}-${owner ?? 'anyone'}`;
              const claim = request({ certificateKey: key, rung, notAfterMs, ...(owner ? { owner } : {}) });
              expect(await store.claim(claim)).toBe(true);
              const history: AlertHistory = {
                certificateKey: key,
                rung,
                notAfterMs,
                state: 'sending',
                atMs: T0,
                leaseUntilMs: plus(LEASE_MS),
                ...(owner ? { owner } : {}),
              };
              if (ending === 'sent') {
                await store.confirm(key, rung, plus(1_000), 'sent');
                Object.assign(history, { state: 'sent', atMs: plus(1_000) });
              } else if (ending !== 'sending') {
                const keepLease = ending === 'digested, lease kept';
                await store.confirm(key, rung, plus(1_000), 'digested', keepLease);
                Object.assign(history, {
                  state: 'digested',
                  atMs: plus(1_000),
                  leaseUntilMs: keepLease ? plus(LEASE_MS) : 0,
                });
              }
              written.set(key, history);
            }
          }
        }
      }
      const keys = [...written.keys()];
      expect(await store.load(keys)).toEqual(written);

      const reopened = await options.reopen(store);
      const unusable: unknown[] = [];
      const loaded = await reopened.load(keys, { onUnusable: (entry) => unusable.push(entry) });
      expect(unusable).toEqual([]);
      expect(loaded).toEqual(written);
    });

    it('takes no known notAfter as one value: the same rung again is refused, a known expiry starts over', async () => {
      const unknown = request({ rung: 'unknown', notAfterMs: null });
      expect(await store.claim(unknown)).toBe(true);
      await store.confirm(KEY, 'unknown', plus(1_000));
      const reopened = await options.reopen(store);
      expect(await reopened.claim({ ...unknown, nowMs: plus(LEASE_MS * 100) })).toBe(false);
      expect((await reopened.load([KEY])).get(KEY)).toMatchObject({
        rung: 'unknown',
        notAfterMs: null,
        state: 'sent',
      });
      // Its expiry became known: the same certificate now alerts its rung.
      expect(await reopened.claim(request({ rung: 'd30', nowMs: plus(LEASE_MS * 100) }))).toBe(true);
      // ...and one known again as a date is not the certificate with no known expiry.
      await reopened.confirm(KEY, 'd30', plus(LEASE_MS * 100));
      expect(await reopened.claim({ ...unknown, rung: 'd30', nowMs: plus(LEASE_MS * 200) })).toBe(true);
      expect((await reopened.load([KEY])).get(KEY)).toMatchObject({
        rung: 'd30',
        notAfterMs: null,
        state: 'sending',
      });
    });

    it('refuses a notAfter that is neither an instant nor null, writing nothing', async () => {
      for (const notAfterMs of [Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(store.claim(request({ notAfterMs }))).rejects.toThrow(
          /notAfterMs (NaN|Infinity) is neither an instant \(epoch ms\) nor null/,
        );
      }
      expect(await store.load([KEY])).toEqual(new Map());
    });

    it('starts empty', async () => {
      expect(await store.load([KEY, OTHER_KEY])).toEqual(new Map());
    });

    it('lets the first claim win and remembers it as sending, with its lease', async () => {
      expect(await store.claim(request())).toBe(true);
      const history = (await store.load([KEY])).get(KEY);
      expect(history).toEqual({
        certificateKey: KEY,
        rung: 'd30',
        notAfterMs: NOT_AFTER,
        state: 'sending',
        atMs: T0,
        leaseUntilMs: plus(LEASE_MS),
      });
    });

    it('refuses a second claim of the same rung while the first is sending within its lease', async () => {
      expect(await store.claim(request())).toBe(true);
      expect(await store.claim(request({ nowMs: plus(60_000) }))).toBe(false);
      // The lease still holds at the instant it ends; only after it may another run take over.
      expect(await store.claim(request({ nowMs: plus(LEASE_MS) }))).toBe(false);
      expect((await store.load([KEY])).get(KEY)?.atMs).toBe(T0);
    });

    it('refuses the same rung once it was confirmed, however much later', async () => {
      expect(await store.claim(request())).toBe(true);
      await store.confirm(KEY, 'd30', plus(5_000));
      expect(await store.claim(request({ nowMs: plus(LEASE_MS * 100) }))).toBe(false);
      expect((await store.load([KEY])).get(KEY)).toMatchObject({
        rung: 'd30',
        state: 'sent',
        atMs: plus(5_000),
      });
    });

    it('lets a claim of a new rung win', async () => {
      await store.claim(request());
      await store.confirm(KEY, 'd30', T0);
      expect(await store.claim(request({ rung: 'd14', nowMs: plus(60_000) }))).toBe(true);
      expect((await store.load([KEY])).get(KEY)).toMatchObject({ rung: 'd14', state: 'sending' });
    });

    it('lets a claim with a new notAfter (a renewal) win, even for the same rung', async () => {
      await store.claim(request());
      await store.confirm(KEY, 'd30', T0);
      expect(
        await store.claim(request({ notAfterMs: Date.parse('2027-12-20T00:00:00Z'), nowMs: plus(60_000) })),
      ).toBe(true);
      expect((await store.load([KEY])).get(KEY)).toMatchObject({
        notAfterMs: Date.parse('2027-12-20T00:00:00Z'),
        state: 'sending',
      });
    });

    it('lets an unconfirmed claim be taken over once its lease ran out', async () => {
      expect(await store.claim(request())).toBe(true);
      const later = plus(LEASE_MS + 1);
      expect(await store.claim(request({ nowMs: later }))).toBe(true);
      expect((await store.load([KEY])).get(KEY)).toMatchObject({
        state: 'sending',
        atMs: later,
        leaseUntilMs: plus(2 * LEASE_MS + 1),
      });
      // The new claim holds its own lease.
      expect(await store.claim(request({ nowMs: plus(LEASE_MS + 2) }))).toBe(false);
    });

    it('lets the next claim win after a release', async () => {
      await store.claim(request());
      await store.release(KEY, 'd30');
      expect(await store.load([KEY])).toEqual(new Map());
      expect(await store.claim(request({ nowMs: plus(1_000) }))).toBe(true);
    });

    it('releases only its own rung, and never a confirmed alert', async () => {
      await store.claim(request());
      await store.release(KEY, 'd14');
      expect((await store.load([KEY])).get(KEY)?.state).toBe('sending');
      await store.confirm(KEY, 'd30', T0);
      await store.release(KEY, 'd30');
      expect((await store.load([KEY])).get(KEY)?.state).toBe('sent');
      expect(await store.claim(request({ nowMs: plus(1_000) }))).toBe(false);
    });

    it('lets the next run claim an alert whose digest went out but whose structured message is owed', async () => {
      await store.claim(request());
      await store.confirm(KEY, 'd30', T0, 'digested');
      expect((await store.load([KEY])).get(KEY)?.state).toBe('digested');
      expect(await store.claim(request({ nowMs: plus(1_000) }))).toBe(true);
      // ...and only one run: the claim made it `sending` again.
      expect(await store.claim(request({ nowMs: plus(2_000) }))).toBe(false);
      await store.confirm(KEY, 'd30', plus(3_000));
      expect((await store.load([KEY])).get(KEY)?.state).toBe('sent');
    });

    it('puts back the history a released claim replaced', async () => {
      await store.claim(request());
      await store.confirm(KEY, 'd30', T0);
      const before = (await store.load([KEY])).get(KEY)!;
      expect(await store.claim(request({ rung: 'd14', nowMs: plus(1_000) }))).toBe(true);
      await store.release(KEY, 'd14', before);
      expect((await store.load([KEY])).get(KEY)).toEqual(before);
      // The next run claims the same new rung again.
      expect(await store.claim(request({ rung: 'd14', nowMs: plus(2_000) }))).toBe(true);
    });

    it('confirms only the rung it names, and does nothing for a certificate it does not hold', async () => {
      await store.claim(request({ rung: 'd14' }));
      await store.confirm(KEY, 'd30', plus(1_000));
      expect((await store.load([KEY])).get(KEY)).toMatchObject({ rung: 'd14', state: 'sending', atMs: T0 });
      await store.confirm(OTHER_KEY, 'd30', plus(1_000));
      expect((await store.load([OTHER_KEY])).has(OTHER_KEY)).toBe(false);
      await store.release(OTHER_KEY, 'd30');
    });

    it('forgets a certificate, and forgetting one it never knew is harmless', async () => {
      await store.claim(request());
      await store.confirm(KEY, 'd30', T0);
      await store.claim(request({ certificateKey: OTHER_KEY }));
      await store.forget(KEY);
      await store.forget('never/seen/anywhere/-/x');
      const loaded = await store.load([KEY, OTHER_KEY]);
      expect([...loaded.keys()]).toEqual([OTHER_KEY]);
      expect(await store.claim(request({ nowMs: plus(1_000) }))).toBe(true);
    });

    it('loads exactly the remembered keys among those asked, across more than one batch', async () => {
      const remembered = Array.from({ length: 130 }, (_, i) => `ucloud/ulb/cn-bj2/org-a/ssl-${i}`);
      for (const key of remembered) {
        expect(await store.claim(request({ certificateKey: key }))).toBe(true);
      }
      const unknown = Array.from({ length: 30 }, (_, i) => `ucloud/ulb/cn-bj2/org-a/unknown-${i}`);
      // Asked twice, asked among unknowns, asked out of order.
      const asked = [...unknown, ...remembered.slice(0, 120).reverse(), remembered[0]!];
      const loaded = await store.load(asked);
      expect([...loaded.keys()].sort()).toEqual(remembered.slice(0, 120).sort());
      for (const [key, history] of loaded) expect(history.certificateKey).toBe(key);
      expect(await store.load([])).toEqual(new Map());
    });

    it('lets exactly one of 20 concurrent claims of the same certificate and rung win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(request())));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await store.load([KEY])).get(KEY)?.state).toBe('sending');
    });

    it('keeps certificates apart: a claim on one does not block another', async () => {
      expect(await store.claim(request())).toBe(true);
      expect(await store.claim(request({ certificateKey: OTHER_KEY }))).toBe(true);
    });

    it('keeps the milliseconds of its instants, which order correctly', async () => {
      expect(await store.claim(request({ nowMs: Date.parse('2026-11-23T20:00:00+08:00') }))).toBe(true);
      // 12:00:00Z and 12:00:00.500Z would order wrongly as strings without milliseconds in the first.
      expect(await store.claim(request({ nowMs: Date.parse('2026-11-23T12:15:00.500Z') }))).toBe(true);
      expect((await store.load([KEY])).get(KEY)).toMatchObject({
        atMs: Date.parse('2026-11-23T12:15:00.500Z'),
        leaseUntilMs: Date.parse('2026-11-23T12:30:00.500Z'),
      });
    });

    it('refuses a clock that is not an instant, writing nothing', async () => {
      await expect(store.claim(request({ nowMs: Number.NaN }))).rejects.toThrow(/nowMs NaN/);
      expect(await store.load([KEY])).toEqual(new Map());
    });
  });
}
