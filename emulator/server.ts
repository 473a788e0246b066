/**
 * The local emulator: one HTTP server on 127.0.0.1 that fakes the cloud APIs certwatch reads.
 *
 * URL layout (one service per path prefix, so Alibaba services can be added beside UCloud):
 *   POST|GET /ucloud   (also /ucloud/)  UCloud API, as https://api.ucloud.cn answers POST /.
 *                                       Point UCLOUD_API_URL at `ucloudUrl`.
 *   GET /healthz                        200 "ok".
 *   anything else                       404 JSON listing the services.
 * Keep-alive is on (Node's default); close() also ends idle and hung connections, so it never waits on them.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultOptions } from './faults';
import type { Fleet } from './fleet/model';
import { createUcloudHandler, type UcloudEmulatorOptions, type UcloudEmulatorStats } from './ucloud/handler';

/**
 * Fault options given at the top level (latencyMs, throttleRate, errorRate, hangRate, seed) apply to every
 * emulated service; a service's own options (`ucloud`) override them.
 */
export interface EmulatorOptions extends FaultOptions {
  /** What the fake clouds hold. Default: nothing (one UCloud account with the demo keys, no certificates). */
  fleet?: Fleet;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** UCloud only: faults (overriding the top-level ones), forced `failures`, `maxLimit`. */
  ucloud?: Omit<UcloudEmulatorOptions, 'fleet'>;
}

export interface EmulatorStats {
  ucloud: UcloudEmulatorStats;
}

export interface RunningEmulator {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** UCloud API base URL, `${url}/ucloud`: the value for UCLOUD_API_URL. */
  ucloudUrl: string;
  /** Live request counters per service. */
  stats: EmulatorStats;
  /** Stops the server, dropping open connections (keep-alive and hung requests). Safe to call twice. */
  close(): Promise<void>;
}

export const UCLOUD_PATH = '/ucloud';

/** Starts the emulator and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const { fleet, port, host: givenHost, ucloud: ucloudOptions, ...sharedFaults } = options;
  const ucloud = createUcloudHandler({ ...sharedFaults, ...definedOnly(ucloudOptions ?? {}), fleet });
  const server = createServer((request, response) => route(request, response));
  const host = givenHost ?? '127.0.0.1';

  function route(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (path === UCLOUD_PATH || path === `${UCLOUD_PATH}/`) {
      ucloud.handle(request, response);
      return;
    }
    request.resume();
    if (path === '/healthz') {
      response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
      return;
    }
    const body = JSON.stringify({
      error: `no emulated service at ${path}`,
      services: { ucloud: UCLOUD_PATH },
    });
    response.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8' }).end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    ucloudUrl: `${url}${UCLOUD_PATH}`,
    stats: { ucloud: ucloud.stats },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        ucloud.close();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The entries that are not undefined, so that `{ throttleRate: undefined }` does not override a shared value. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
