/**
 * A real moto_server for integration tests: AWS APIs (SNS, SQS, DynamoDB, SSM...) on 127.0.0.1.
 *
 *   let moto: MotoServer;
 *   beforeAll(async () => { moto = await startMoto(); });
 *   afterAll(() => moto?.stop());
 *   const sqs = new SQSClient(motoClientConfig(moto.endpoint));
 *
 * moto_server runs under a tiny shell watchdog that holds a pipe from this process: when the pipe closes — stop(),
 * or this test worker dying in any way, even SIGKILL — the watchdog kills moto, so no server outlives its tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface MotoServer {
  /** `http://127.0.0.1:PORT`: pass it as `endpoint` to every AWS client in the test. */
  readonly endpoint: string;
  /** Stops moto and waits until it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** How long to wait for moto to answer before giving up. */
  startTimeoutMs?: number;
  /** The command to run (default `moto_server`, found on PATH). */
  command?: string;
}

/** Credentials and region moto accepts; tests set them explicitly instead of touching process.env. */
export function motoClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/**
 * A DynamoDB client for moto over one keep-alive connection: moto applies concurrent conditional writes without a
 * lock, and one connection makes it order them, as DynamoDB does.
 */
export function motoDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    ...motoClientConfig(endpoint),
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1 }) },
  });
}

/** The account moto puts resources in (ARNs in assertions). */
export const MOTO_ACCOUNT_ID = '123456789012';

// `read` returns when our end of stdin closes (stop(), or this process exiting); the trap covers a signal sent
// to the shell itself. moto's output goes to stderr so stdout carries only moto's pid.
const WATCHDOG = `
"$0" -H 127.0.0.1 -p "$1" 1>&2 &
pid=$!
echo "$pid"
trap 'kill "$pid" 2>/dev/null' HUP INT TERM
read -r _ || true
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit 0
`;

/**
 * Starts moto_server on a free port and resolves once it answers HTTP. Rejects (and cleans up) if it exits or
 * stays silent for `startTimeoutMs`; the error carries the end of moto's output.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const { startTimeoutMs = 30_000, command = 'moto_server' } = options;
  // Another process may take the free port between our probe and moto's bind: try a few ports.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await startOn(port, command, startTimeoutMs);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOn(port: number, command: string, startTimeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('/bin/sh', ['-c', WATCHDOG, command, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = new TailBuffer(4096);
  let motoPid: number | null = null;
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    const pid = Number.parseInt(text, 10);
    if (motoPid === null && Number.isInteger(pid)) motoPid = pid;
  });
  // Always drain stderr: moto logs every request there, and a full pipe would block it mid-test.
  child.stderr?.setEncoding('utf8').on('data', (text: string) => output.push(text));
  // The watchdog's stdin is the lifeline; it must not keep this process alive or throw on a late EPIPE.
  child.stdin?.on('error', () => {});
  const exited = once(child, 'exit').then(() => undefined);

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= stopChild(child, exited, () => motoPid);
    return stopped;
  };

  try {
    await waitUntilAnswering(endpoint, startTimeoutMs, exited, () => output.text());
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
  motoPid: () => number | null,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.stdin?.end();
  const timedOut = await Promise.race([exited.then(() => false), delay(10_000).then(() => true)]);
  if (!timedOut) return;
  // moto ignored SIGTERM: kill both processes by the pids we started, then wait for the shell.
  const pid = motoPid();
  if (pid !== null) killQuietly(pid);
  child.kill('SIGKILL');
  await exited;
}

async function waitUntilAnswering(
  endpoint: string,
  timeoutMs: number,
  exited: Promise<void>,
  output: () => string,
): Promise<void> {
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited) throw new Error(`moto_server exited before answering on ${endpoint}:\n${output()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(100);
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
}

/** A port nobody listens on right now, chosen by the kernel. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read the probe port');
  return address.port;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Keeps the last `limit` characters of a stream for error messages. */
class TailBuffer {
  #text = '';
  constructor(private readonly limit: number) {}
  push(chunk: string): void {
    this.#text = (this.#text + chunk).slice(-this.limit);
  }
  text(): string {
    return this.#text;
  }
}
