import { expect, it } from 'vitest';
import { MemoryStateStore } from '../../../lib/state/memory';
import { describeAlertStateStore } from './contract';

// A memory store has no backing of its own; the nearest thing is what the file store does with a file's contents.
describeAlertStateStore('MemoryStateStore', () => new MemoryStateStore(), {
  reopen: (store) => new MemoryStateStore(store.histories()),
});

it('hands out copies: changing what load returned does not change the store', async () => {
  const store = new MemoryStateStore();
  await store.claim({
    certificateKey: 'k',
    rung: 'd30',
    notAfterMs: Date.parse('2026-12-20T00:00:00Z'),
    nowMs: Date.parse('2026-11-23T12:00:00Z'),
    leaseMs: 1000,
  });
  const history = (await store.load(['k'])).get('k')!;
  history.state = 'sent';
  expect((await store.load(['k'])).get('k')?.state).toBe('sending');
  expect(store.histories()).toHaveLength(1);
});
