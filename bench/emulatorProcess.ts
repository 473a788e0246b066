/**
 * The emulator in a child process (`certwatch emulator`, the built CLI beside this bundle), so the benchmark
 * process's CPU time and peak RSS are certwatch's own. Its counters are read over HTTP (GET /stats).
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AliyunEmulatorStats, AliyunServiceStats } from '../emulator/aliyun/handler';
import type { UcloudEmulatorStats } from '../emulator/ucloud/handler';

/** What GET /stats serves. */
export interface EmulatorStatsSnapshot {
  ucloud: UcloudEmulatorStats;
  aliyun: AliyunEmulatorStats;
  /** Requests per second by Action, scaled; empty when the emulator limits nothing. */
  rateLimits: Record<string, number>;
  /** CPU time (user + system) of the emulator's process so far. */
  processCpuMicros: number;
}

/** Requests and throttled replies by Action, summed over the emulated services. */
export interface ActionCounts {
  requests: Record<string, number>;
  throttled: Record<string, number>;
  /** Every request and every throttled reply, whatever the Action. */
  totalRequests: number;
  totalThrottled: number;
}

export interface EmulatorProcess {
  url: string;
  /** The environment that points certwatch at it (UCLOUD_*, ALIBABA_CLOUD_*). */
  env: Record<string, string>;
  stats(): Promise<EmulatorStatsSnapshot>;
  stop(): void;
}

/** Starts `certwatch emulator` with `args` and waits until it prints its settings. */
export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const cli = new URL('./certwatch.mjs', import.meta.url).pathname;
  const child = spawn(process.execPath, [cli, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const env: Record<string, string> = {};
  let url: string | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    url ??= /^http:\/\/\S+$/.test(line) ? line : undefined;
    const match = /^ {2}export (\w+)=(\S*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
    if (line.startsWith('Press Ctrl-C')) {
      if (!url) break;
      const base = url;
      return {
        url: base,
        env,
        async stats() {
          const response = await fetch(`${base}/stats`);
          if (!response.ok) throw new Error(`GET ${base}/stats: HTTP ${response.status}`);
          return (await response.json()) as EmulatorStatsSnapshot;
        },
        stop: () => void child.kill('SIGTERM'),
      };
    }
  }
  child.kill('SIGTERM');
  throw new Error('the emulator exited (or printed no URL) before it was ready');
}

/** Counts by Action over all services. */
export function actionCounts(stats: EmulatorStatsSnapshot): ActionCounts {
  const services = [stats.ucloud, ...Object.values(stats.aliyun)];
  const requests: Record<string, number> = {};
  const throttled: Record<string, number> = {};
  for (const service of services) {
    addInto(requests, service.byAction);
    addInto(throttled, service.throttledByAction);
  }
  return {
    requests,
    throttled,
    totalRequests: services.reduce((sum, service) => sum + service.requests, 0),
    totalThrottled: services.reduce((sum, service) => sum + service.throttled, 0),
  };
}

/** What happened between two snapshots' counts. */
export function countsBetween(before: ActionCounts, after: ActionCounts): ActionCounts {
  return {
    requests: subtract(after.requests, before.requests),
    throttled: subtract(after.throttled, before.throttled),
    totalRequests: after.totalRequests - before.totalRequests,
    totalThrottled: after.totalThrottled - before.totalThrottled,
  };
}

/** Calls that were answered (not throttled), by Action: what a client that is never throttled would make. */
export function answeredCalls(counts: ActionCounts): Record<string, number> {
  const answered: Record<string, number> = {};
  for (const [action, requests] of Object.entries(counts.requests)) {
    const calls = requests - (counts.throttled[action] ?? 0);
    if (calls > 0) answered[action] = calls;
  }
  return answered;
}

/**
 * Calls past the rate limits between two snapshots, by Alibaba account and Action: what a client that is never
 * throttled makes of each account's quota. ALB and NLB keep their own quotas under the same Action names, so their
 * Actions are named `alb ListListeners`, `nlb ListListeners`.
 */
export function callsByAccount(
  before: EmulatorStatsSnapshot,
  after: EmulatorStatsSnapshot,
): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  const services = Object.entries(after.aliyun) as [keyof AliyunEmulatorStats, AliyunServiceStats][];
  for (const [service, stats] of services) {
    const earlier = before.aliyun[service].admittedByAccount ?? {};
    for (const [account, actions] of Object.entries(stats.admittedByAccount ?? {})) {
      const calls = result[account] ?? {};
      result[account] = calls;
      for (const [action, count] of Object.entries(subtract(actions, earlier[account] ?? {}))) {
        const name = service === 'alb' || service === 'nlb' ? `${service} ${action}` : action;
        calls[name] = (calls[name] ?? 0) + count;
      }
    }
  }
  return result;
}

function addInto(total: Record<string, number>, more: Record<string, number>): void {
  for (const [key, value] of Object.entries(more)) total[key] = (total[key] ?? 0) + value;
}

function subtract(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(after)) {
    const delta = value - (before[key] ?? 0);
    if (delta !== 0) result[key] = delta;
  }
  return result;
}
