// The house's boundaries, checked over the real import graph (test/helpers/importGraph.ts) rather than kept by
// memory: the layers of lib/, pure modules free of I/O, providers and channels apart, lib/ on its own, no cycles.
// Type-only imports count everywhere: a type is a dependency, and a cycle of types is still a circle to read.
// Each failure names the import (file:line → target) and the rule it breaks.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../lib/channels';
import { type ImportEdge, importGraph, importsOf, sourceFiles } from '../../helpers/importGraph';
import { tempDirPerTest } from '../../helpers/tempDir';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The layers, lowest first: a file may import its own layer and the ones below, never one above. A member ending
 * in `/` is a folder (all of it); anything else is one file. Every file under lib/, functions/ and cli/ must fall
 * in exactly one layer, so a new top-level module has to be placed here.
 */
const LAYERS: readonly { readonly name: string; readonly members: readonly string[] }[] = [
  {
    // Knows nothing of certificates: errors, the version, settings declarations, small shared helpers.
    name: 'foundation',
    members: [
      'lib/errors.ts',
      'lib/version.ts',
      'lib/settings/',
      'lib/concurrency.ts',
      'lib/preparedOnce.ts',
      'lib/jsonText.ts',
      'lib/plainHttp.ts',
      'lib/atomicFile.ts',
      'lib/awsClientConfig.ts',
    ],
  },
  {
    // The pure domain: the record, inert text, PEM/DER reading, expiry and status. No I/O (rule below).
    name: 'domain',
    members: ['lib/model.ts', 'lib/inert.ts', 'lib/inertRecords.ts', 'lib/pem/', 'lib/expiry/'],
  },
  {
    // What adapters build on: the one HTTP layer, alert history behind its interface, report rendering, and the
    // alert policy (ladder, rules, plan, digest, structured messages, the sink interface and the send protocol), and
    // the vocabulary of doctor's checks that providers and channels declare theirs in (lib/checks).
    name: 'services and policy',
    members: ['lib/http/', 'lib/state/', 'lib/report/', 'lib/alerts/', 'lib/checks/'],
  },
  {
    // The only places that know a cloud's or a channel's wire format.
    name: 'adapters',
    members: ['lib/providers/', 'lib/channels/'],
  },
  {
    // Built from the adapters: the scan, configuration and secrets read from their registries, telemetry,
    // certificate rotation.
    name: 'assembly',
    members: ['lib/scan.ts', 'lib/config.ts', 'lib/secrets/', 'lib/telemetry/', 'lib/rotation/'],
  },
  {
    // A whole job: one run, its wiring from Config, the sharded mode, `certwatch doctor`.
    name: 'jobs',
    members: ['lib/run.ts', 'lib/setup.ts', 'lib/shard/', 'lib/doctor/'],
  },
  {
    // Entry points: the Lambda handlers and the command.
    name: 'entry points',
    members: ['functions/', 'cli/'],
  },
];

/** Node modules that reach outside the process (files, network, processes, name lookups). */
const NODE_IO = ['fs', 'net', 'http', 'https', 'http2', 'tls', 'child_process', 'dgram', 'dns'];

/** The pure areas: no I/O imported, directly or through another lib/ file. */
const PURE_AREAS = ['lib/pem/', 'lib/expiry/', 'lib/alerts/'];

/**
 * Of lib/state the pure areas may import only its interface: the store contract and the error a store throws
 * (which imports nothing but lib/errors.ts). The implementations (DynamoDB, file) do I/O.
 */
const STATE_INTERFACE = ['lib/state/store.ts', 'lib/state/errors.ts'];

/** Trees outside lib/ that lib/ must never import. */
const OUTSIDE_LIB = ['emulator/', 'cli/', 'functions/', 'bench/', 'scripts/', 'test/', 'bin/'];

const libFiles = sourceFiles(ROOT, 'lib');
const layeredFiles = [...libFiles, ...sourceFiles(ROOT, 'functions'), ...sourceFiles(ROOT, 'cli')];
const graph = importGraph(ROOT, layeredFiles);
const libGraph = graph.filter((edge) => edge.from.startsWith('lib/'));

function inArea(file: string, area: string): boolean {
  return area.endsWith('/') ? file.startsWith(area) : file === area;
}

function layerOf(file: string): number | undefined {
  const index = LAYERS.findIndex((layer) => layer.members.some((member) => inArea(file, member)));
  return index === -1 ? undefined : index;
}

function isNodeIo(specifier: string): boolean {
  const bare = specifier.replace(/^node:/, '');
  return NODE_IO.some((name) => bare === name || bare.startsWith(`${name}/`));
}

function isIoPackage(specifier: string): boolean {
  return isNodeIo(specifier) || specifier.startsWith('@aws-sdk/');
}

function target(edge: ImportEdge): string {
  return edge.file ?? edge.specifier;
}

function describeEdge(edge: ImportEdge): string {
  return `${edge.from}:${edge.line} → ${target(edge)}${edge.typeOnly ? ' (type)' : ''}`;
}

describe('the import graph reader', () => {
  const temp = tempDirPerTest('certwatch-imports-');

  it('sees every form of import and resolves relative specifiers to files', () => {
    {
      const dir = temp.path;
      mkdirSync(`${dir}/lib/sub`, { recursive: true });
      for (const file of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts', 'g.ts', 'sub/index.ts']) {
        writeFileSync(`${dir}/lib/${file}`, 'export const x = 1;\n');
      }
      writeFileSync(
        `${dir}/lib/main.ts`,
        [
          "import { x } from './a';",
          "import type { Y } from './b';",
          "import { type Z } from './c';",
          "export { x as w } from './d';",
          "export type { V } from './e';",
          "const m = await import('./f');",
          "let t: typeof import('./g').x;",
          "import './sub';",
          "import { readFile } from 'node:fs/promises';",
          "export * from './sub/index.js';",
        ].join('\n'),
      );
      const edges = importsOf(dir, 'lib/main.ts').map((edge) => [edge.specifier, edge.file, edge.typeOnly]);
      expect(edges).toEqual([
        ['./a', 'lib/a.ts', false],
        ['./b', 'lib/b.ts', true],
        ['./c', 'lib/c.ts', true],
        ['./d', 'lib/d.ts', false],
        ['./e', 'lib/e.ts', true],
        ['./f', 'lib/f.ts', false],
        ['./g', 'lib/g.ts', true],
        ['./sub', 'lib/sub/index.ts', false],
        ['node:fs/promises', undefined, false],
        ['./sub/index.js', 'lib/sub/index.ts', false],
      ]);
    }
  });

  it('reads the real project (so that the rules below cannot pass on an empty graph)', () => {
    expect(libFiles.length).toBeGreaterThan(50);
    expect(graph.some((edge) => edge.from === 'lib/scan.ts' && edge.file?.startsWith('lib/providers/'))).toBe(
      true,
    );
    // Every relative import resolves to a file that exists.
    const unresolved = graph.filter((edge) => edge.file !== undefined && !existsSync(join(ROOT, edge.file)));
    expect(unresolved.map(describeEdge)).toEqual([]);
  });
});

describe('the boundaries of the house', () => {
  it('places every file of lib/, functions/ and cli/ in exactly one layer', () => {
    const misplaced = layeredFiles.flatMap((file) => {
      const count = LAYERS.filter((layer) => layer.members.some((member) => inArea(file, member))).length;
      return count === 1 ? [] : [`${file}: in ${count} layers; place it in the LAYERS table of this test`];
    });
    expect(misplaced).toEqual([]);
  });

  it('a. imports only from its own layer or a lower one', () => {
    const violations = graph.flatMap((edge) => {
      if (edge.file === undefined) return [];
      const from = layerOf(edge.from);
      const to = layerOf(edge.file);
      if (from === undefined || to === undefined || to <= from) return [];
      return [
        `${describeEdge(edge)}: layer "${LAYERS[from]?.name}" imports the higher layer "${LAYERS[to]?.name}"`,
      ];
    });
    expect(violations).toEqual([]);
  });

  it('a. the Lambda handlers import lib/ and nothing else of ours', () => {
    const violations = graph
      .filter((edge) => edge.from.startsWith('functions/') && edge.file && !edge.file.startsWith('lib/'))
      .map((edge) => `${describeEdge(edge)}: functions/ imports only lib/`);
    expect(violations).toEqual([]);
  });

  it('b. lib/pem, lib/expiry and lib/alerts import no I/O', () => {
    const direct = libGraph.flatMap((edge) => {
      const why = pureBreach(edge);
      return why ? [`${describeEdge(edge)}: ${why}`] : [];
    });
    // Through other lib/ files: a pure file must not reach I/O by way of a helper that is not itself checked.
    const reached = libFiles.filter(isPure).flatMap((file) => {
      const path = pathToIo(file);
      return path
        ? [`${path.join(' → ')}: ${areaOf(file)} is pure, and reaches I/O through another file`]
        : [];
    });
    expect([...direct, ...reached]).toEqual([]);
  });

  it('c. lib/channels and lib/providers do not import each other', () => {
    const violations = libGraph.flatMap((edge) => {
      const to = edge.file;
      if (to === undefined) return [];
      const across =
        (inArea(edge.from, 'lib/channels/') && inArea(to, 'lib/providers/')) ||
        (inArea(edge.from, 'lib/providers/') && inArea(to, 'lib/channels/'));
      return across ? [`${describeEdge(edge)}: channels and providers do not import each other`] : [];
    });
    expect(violations).toEqual([]);
  });

  it('c. one provider does not import another, nor one channel another', () => {
    // A provider is its folder (lib/providers/<id>/); what they share sits in lib/providers/*.ts. A channel is
    // its module file (lib/channels/<name>.ts, as registered); what they share are the other files there.
    const providerOf = (file: string) => /^lib\/providers\/([^/]+)\//.exec(file)?.[1];
    const channelFiles = new Set(CHANNELS.map((channel) => `lib/channels/${channel.name}.ts`));
    const violations = libGraph.flatMap((edge) => {
      const to = edge.file;
      if (to === undefined) return [];
      const fromProvider = providerOf(edge.from);
      const toProvider = providerOf(to);
      if (fromProvider && toProvider && fromProvider !== toProvider)
        return [`${describeEdge(edge)}: provider ${fromProvider} imports provider ${toProvider}`];
      if (channelFiles.has(edge.from) && channelFiles.has(to) && edge.from !== to)
        return [`${describeEdge(edge)}: a channel imports another channel`];
      return [];
    });
    expect(violations).toEqual([]);
    expect(channelFiles.size).toBeGreaterThan(1);
    expect(new Set(libGraph.map((edge) => providerOf(edge.from)).filter(Boolean)).size).toBeGreaterThan(1);
  });

  it('d. lib/ never imports emulator/, cli/, functions/, bench/, scripts/ or test/', () => {
    const violations = libGraph
      .filter((edge) => edge.file && OUTSIDE_LIB.some((tree) => inArea(edge.file ?? '', tree)))
      .map((edge) => `${describeEdge(edge)}: lib/ stands on its own`);
    expect(violations).toEqual([]);
  });

  it('e. no import cycle between files under lib/', () => {
    const cycles = cyclesOf(libGraph).map((cycle) => `cycle: ${cycle.join(' → ')}`);
    expect(cycles).toEqual([]);
  });
});

/** `lib/alerts` for `lib/alerts/sink.ts`, `lib/model.ts` for itself. */
function areaOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

function isPure(file: string): boolean {
  return PURE_AREAS.some((area) => inArea(file, area));
}

/** Why an import from a pure area breaks rule b, or undefined. */
function pureBreach(edge: ImportEdge): string | undefined {
  if (!isPure(edge.from)) return undefined;
  const area = areaOf(edge.from);
  const to = target(edge);
  if (edge.file === undefined) return isIoPackage(to) ? `${area} is pure, and this is I/O` : undefined;
  if (['lib/http/', 'lib/providers/', 'lib/channels/'].some((other) => inArea(to, other))) {
    return `${area} is pure and must not import ${areaOf(to)}`;
  }
  if (inArea(to, 'lib/state/') && !STATE_INTERFACE.includes(to)) {
    return `${area} is pure; of lib/state it may import only ${STATE_INTERFACE.join(' and ')}`;
  }
  return undefined;
}

/**
 * The shortest chain from the pure file `start` through lib/ files outside the pure areas to an I/O package, or
 * undefined. What the direct rule reports is not followed again, nor other pure files (each is checked itself).
 */
function pathToIo(start: string): string[] | undefined {
  const previous = new Map<string, string>([[start, '']]);
  const queue = [start];
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    for (const edge of libGraph) {
      if (edge.from !== node) continue;
      const to = target(edge);
      if (edge.file === undefined) {
        if (node === start || !isIoPackage(to)) continue;
        const path = [to];
        for (let at: string | undefined = node; at; at = previous.get(at)) path.unshift(at);
        return path;
      }
      if (previous.has(to) || !to.startsWith('lib/') || isPure(to)) continue;
      if (node === start && pureBreach(edge)) continue;
      previous.set(to, node);
      queue.push(to);
    }
  }
  return undefined;
}

/**
 * The cycles of a graph: for each file in name order that lies on a cycle and on none reported yet, the shortest
 * way back to it, so that every file on a cycle shows in one.
 */
function cyclesOf(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const edge of edges) {
    if (edge.file === undefined) continue;
    const targets = next.get(edge.from) ?? new Set<string>();
    targets.add(edge.file);
    next.set(edge.from, targets);
  }
  const covered = new Set<string>();
  const cycles: string[][] = [];
  for (const start of [...next.keys()].sort()) {
    if (covered.has(start)) continue;
    const previous = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    search: for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      for (const to of [...(next.get(node) ?? [])].sort()) {
        if (to === start) {
          closing = node;
          break search;
        }
        if (previous.has(to)) continue;
        previous.set(to, node);
        queue.push(to);
      }
    }
    if (closing === undefined) continue;
    const path: string[] = [];
    for (let at: string | undefined = closing; at !== undefined && at !== start; at = previous.get(at)) {
      path.unshift(at);
    }
    path.unshift(start);
    for (const file of path) covered.add(file);
    cycles.push([...path, start]);
  }
  return cycles;
}
