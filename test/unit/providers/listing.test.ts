import { describe, expect, it } from 'vitest';
import { PagingError } from '../../../lib/errors';
import { type ListedPage, type Listing, type ListingLimits, listPages } from '../../../lib/providers/listing';

type Item = { id: string };
const LIMITS: ListingLimits = { maxPages: 100, maxRestarts: 3 };
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `c${from + i}`);

/** A listing over `list(call)`: the list as it stands at the `call`-th request (0-based), with its total. */
function listing(
  style: 'offset' | 'page-number' | 'single',
  list: (call: number) => string[],
  options: { pageSize?: number; total?: (list: string[]) => number | null } = {},
) {
  let calls = 0;
  const pageSize = options.pageSize ?? 3;
  const total = options.total ?? ((current) => current.length);
  const window = (offset: number, size: number): ListedPage => {
    const current = list(calls++);
    return { entries: current.slice(offset, offset + size).map((id) => ({ id })), total: total(current) };
  };
  const paging =
    style === 'offset'
      ? { style, pageSize, fetch: async (offset: number, limit: number) => window(offset, limit) }
      : style === 'page-number'
        ? {
            style,
            pageSize,
            fetch: async (page: number, size: number) => window((page - 1) * size, size),
          }
        : { style, fetch: async () => window(0, Number.MAX_SAFE_INTEGER) };
  const spec: Listing<Item> = {
    label: 'Test List',
    paging,
    totalName: 'Total',
    entryName: 'entries',
    itemName: 'items',
    item: (entry) =>
      typeof entry === 'object' && entry !== null && typeof (entry as Item).id === 'string'
        ? (entry as Item)
        : null,
    identity: (item) => item.id,
  };
  return { spec, calls: () => calls };
}

async function collect(spec: Listing<Item>, limits = LIMITS) {
  const seen: string[] = [];
  const generator = listPages(spec, limits);
  for (;;) {
    const next = await generator.next();
    if (next.done) return { seen, atEnd: [...next.value].sort() };
    seen.push(...next.value.map((item) => item.id));
  }
}

describe('listPages', () => {
  for (const style of ['offset', 'page-number'] as const) {
    describe(`${style} paging`, () => {
      it('lists every item once and returns what the list held at the end', async () => {
        const { spec } = listing(style, () => ids(10));
        const { seen, atEnd } = await collect(spec);
        expect(seen).toEqual(ids(10));
        expect(atEnd).toEqual([...ids(10)].sort());
      });

      it('loses nothing when a read item is deleted and one added after the first page, the total unchanged', async () => {
        const { spec } = listing(style, (call) => (call === 0 ? ids(10) : [...ids(9, 1), 'new']));
        const { seen, atEnd } = await collect(spec);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expect.arrayContaining(ids(9, 1)));
        expect(atEnd).not.toContain('c0');
      });

      it('starts again when the total moves, and gives up naming the listing when it keeps moving', async () => {
        const moved = listing(style, (call) => (call === 0 ? ids(10) : ids(8, 2)));
        expect((await collect(moved.spec)).seen).toEqual(expect.arrayContaining(ids(8, 2)));
        const moving = listing(style, (call) => ids(10 + call));
        await expect(collect(moving.spec)).rejects.toThrow(
          /^Test List: the certificate list kept changing while it was read \(4 attempts, last: /,
        );
      });

      it('reports an id listed twice once, whether the total counts it twice or once', async () => {
        const list = ['c0', 'c1', 'c0', ...ids(6, 2)];
        for (const total of [list.length, list.length - 1]) {
          const { spec } = listing(style, () => list, { total: () => total });
          expect((await collect(spec)).seen).toEqual(ids(8));
        }
      });

      it('names a total the pages did not match, after yielding what they held', async () => {
        for (const [claimed, pattern] of [
          [13, /Total says 13 certificates but the pages held 10; some may be missing/],
          [7, /Total says 7 certificates but the pages held 10; the listing cannot be trusted/],
        ] as const) {
          const { spec } = listing(style, () => ids(10), { total: () => claimed });
          const seen: string[] = [];
          const error = await (async () => {
            for await (const page of listPages(spec, LIMITS)) seen.push(...page.map((item) => item.id));
          })().catch((e: unknown) => e);
          expect(seen).toEqual(ids(10));
          expect(error).toBeInstanceOf(PagingError);
          expect(String(error)).toMatch(pattern);
        }
      });

      it('stops at the page cap', async () => {
        const { spec } = listing(style, () => ids(100), { total: () => null });
        await expect(collect(spec, { maxPages: 5, maxRestarts: 3 })).rejects.toThrow(
          'Test List: more than 5 pages; stopped',
        );
      });
    });
  }

  it('reads a page-number listing of more than one request twice, and one of one request once', async () => {
    const many = listing('page-number', () => ids(7));
    await collect(many.spec);
    expect(many.calls()).toBe(6);
    const one = listing('page-number', () => ids(2));
    await collect(one.spec);
    expect(one.calls()).toBe(1);
    // Offset paging sees shifts through its overlaps, so one pass: pages from 0, 2 and 4 (each after the first
    // one entry early), and since the last of them is full, one more request to see the end.
    const offset = listing('offset', () => ids(7));
    await collect(offset.spec);
    expect(offset.calls()).toBe(4);
  });

  it('offset paging without a total reads a list of one entry, which cannot overlap the next page', async () => {
    const { spec, calls } = listing('offset', () => ['only'], { total: () => null });
    expect((await collect(spec)).seen).toEqual(['only']);
    expect(calls()).toBe(2);
  });

  it('a short page ends the listing when the page size the server says it used shows it ran out', async () => {
    // Two items, no total (a Count that may be the page's own): is the short first page the last, or capped?
    const served = (size: number | null) => {
      let calls = 0;
      const spec: Listing<Item> = {
        ...listing('page-number', () => []).spec,
        paging: {
          style: 'page-number',
          pageSize: 5,
          fetch: async (page) => {
            calls++;
            const entries = page === 1 ? ids(2).map((id) => ({ id })) : [];
            return { entries, total: null, servedPageSize: size };
          },
        },
      };
      return { spec, calls: () => calls };
    };
    // The server says it used pages of 5 and gave 2: it ran out. One request, a snapshot.
    const said = served(5);
    expect((await collect(said.spec)).seen).toEqual(ids(2));
    expect(said.calls()).toBe(1);
    // Silent about its page size: one more page tells, and two requests are read twice.
    const silent = served(null);
    expect((await collect(silent.spec)).seen).toEqual(ids(2));
    expect(silent.calls()).toBe(4);
  });

  it('a single reply: every id once, entries that are not items named', async () => {
    const { spec } = listing('single', () => ['a', 'b', 'a'], { total: () => null });
    expect((await collect(spec)).seen).toEqual(['a', 'b']);
    const junk: Listing<Item> = {
      ...spec,
      paging: { style: 'single', fetch: async () => ({ entries: [{ id: 'a' }, 'junk', 7], total: null }) },
    };
    await expect(collect(junk)).rejects.toThrow('Test List: 2 entries were not items and were skipped');
  });
});

describe('listPages, token paging (NextToken)', () => {
  /**
   * A token listing over `list(call)`: the token is the offset the next page starts at, in an opaque wrapper;
   * `token` may bend the token a page hands out.
   */
  function tokens(
    list: (call: number) => string[],
    options: {
      pageSize?: number;
      total?: (list: string[]) => number | null;
      token?: (next: string | null, call: number) => string | null;
    } = {},
  ) {
    let calls = 0;
    const asked: (string | null)[] = [];
    const spec: Listing<Item> = {
      ...listing('single', () => []).spec,
      paging: {
        style: 'token',
        pageSize: options.pageSize ?? 3,
        fetch: async (token, size) => {
          asked.push(token);
          const call = calls++;
          const current = list(call);
          const offset = token === null ? 0 : Number(token.slice('tok-'.length));
          const end = offset + size;
          const next = end < current.length ? `tok-${end}` : '';
          return {
            entries: current.slice(offset, end).map((id) => ({ id })),
            total: (options.total ?? ((l) => l.length))(current),
            nextToken: options.token ? options.token(next, call) : next,
          };
        },
      },
    };
    return { spec, calls: () => calls, asked };
  }

  it('follows NextToken to the page without one, once (the server keeps the place)', async () => {
    const { spec, calls, asked } = tokens(() => ids(8));
    const { seen, atEnd } = await collect(spec);
    expect(seen).toEqual(ids(8));
    expect(atEnd).toEqual([...ids(8)].sort());
    expect(calls()).toBe(3);
    expect(asked).toEqual([null, 'tok-3', 'tok-6']);
  });

  it('ends at an absent NextToken as at an empty one, and reads an empty list in one request', async () => {
    const absent = tokens(() => ids(5), { token: (next) => (next === '' ? null : next) });
    expect((await collect(absent.spec)).seen).toEqual(ids(5));
    const empty = tokens(() => []);
    expect(await collect(empty.spec)).toEqual({ seen: [], atEnd: [] });
    expect(empty.calls()).toBe(1);
  });

  it('yields an item listed twice once, whether the total counts it twice or once', async () => {
    const list = () => ['a', 'b', 'c', 'c', 'd'];
    expect((await collect(tokens(list).spec)).seen).toEqual(['a', 'b', 'c', 'd']);
    expect((await collect(tokens(list, { total: () => 4 }).spec)).seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('names a NextToken that comes back again, after yielding what the pages held', async () => {
    const { spec, calls } = tokens(() => ids(10), { token: (next) => (next === '' ? next : 'tok-3') });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const page of listPages(spec, LIMITS)) seen.push(...page.map((item) => item.id));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PagingError);
    expect((error as Error).message).toBe(
      'Test List: page 2 gave a NextToken the listing had already followed; it would never end — the pages read ' +
        'so far are reported',
    );
    expect(seen).toEqual(ids(6));
    expect(calls()).toBe(2);
  });

  it('starts again from the first page when the total moves, and gives up when it keeps moving', async () => {
    const moved = tokens((call) => (call === 0 ? ids(10) : ids(8, 2)));
    const { seen, atEnd } = await collect(moved.spec);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(ids(8, 2)));
    expect(atEnd).toEqual([...ids(8, 2)].sort());
    const moving = tokens((call) => ids(10 + call));
    await expect(collect(moving.spec)).rejects.toThrow(
      /^Test List: the certificate list kept changing while it was read \(4 attempts, last: Total moved from/,
    );
  });

  it('names a total the pages did not match, and stops at the page cap', async () => {
    await expect(collect(tokens(() => ids(5), { total: () => 7 }).spec)).rejects.toThrow(
      'Test List: Total says 7 certificates but the pages held 5; some may be missing',
    );
    const endless = tokens(() => ids(1000), { pageSize: 1 });
    await expect(collect(endless.spec, { maxPages: 5, maxRestarts: 3 })).rejects.toThrow(
      'Test List: more than 5 pages; stopped',
    );
    expect(endless.calls()).toBe(5);
  });
});
