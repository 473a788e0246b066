/**
 * Sharded runs in a DynamoDB table of their own (`pk` S, TTL on `expiresAt`): run data lives hours, not the 400
 * days of alert history, and needs no point-in-time recovery.
 *
 * Items:
 *   `run#<runId>`                      the run: nowMs, createdAtMs (N), shards (S, JSON), results (M: shard id ->
 *                                      attempt, chunks, counts), claimedBy (S) and claimedUntil (N), closedAt (N)
 *                                      and closedAs (S)
 *   `run#<runId>#<shard>#<attempt>#<n>` chunk n of one attempt's result (`data`, B)
 *   `runs#open`                        `runs` (SS): the runs not yet closed, for the finisher
 * Every item expires RUN_TTL_DAYS after its run was planned.
 */
import {
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  DynamoDBClient,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsClientConfig } from '../awsClientConfig';
import { forEachBounded } from '../concurrency';
import { CertwatchError } from '../errors';
import { documentClient, numberText } from '../state/documentClient';
import { type NewRun, type RunRecord, type RunStore, RunStoreError, type ShardSummary } from './runStore';
import { parseShard } from './shards';

export const RUN_TTL_DAYS = 7;
export const OPEN_RUNS_KEY = 'runs#open';
const PK = 'pk';
const TTL = 'expiresAt';

export interface DynamoRunStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

/** An item as the DocumentClient gives it: strings for S, NumberValue for N, and so on (documentClient.ts). */
type StoredItem = Record<string, unknown>;

/** The run store of `tableName`, through a client built with `clientConfig` (the injected AWS configuration). */
export function dynamoRunStore(tableName: string, clientConfig: AwsClientConfig = {}): RunStore {
  return new DynamoRunStore({ client: new DynamoDBClient(clientConfig), tableName });
}

export class DynamoRunStore implements RunStore {
  readonly name = 'dynamodb';
  readonly tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor(options: DynamoRunStoreOptions) {
    this.#client = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async createRun(run: NewRun): Promise<{ run: RunRecord; created: boolean }> {
    const created = await this.#conditional('PutItem', `creating run ${run.runId}`, () =>
      this.#client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [PK]: runKey(run.runId),
            runId: run.runId,
            nowMs: run.nowMs,
            createdAtMs: run.createdAtMs,
            shards: JSON.stringify(run.shards),
            results: {},
            [TTL]: expiresAt(run.createdAtMs),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    // Listed as open even when it existed: the planner that created it may have died before this step.
    await this.#send('UpdateItem', `listing run ${run.runId} as open`, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: OPEN_RUNS_KEY },
          UpdateExpression: 'ADD runs :run',
          // A Set is a string set (SS): ADD puts the id in it.
          ExpressionAttributeValues: { ':run': new Set([run.runId]) },
        }),
      ),
    );
    if (created) return { run: { ...run, results: new Map(), claim: null, closed: null }, created };
    const stored = await this.getRun(run.runId);
    if (!stored) throw new RunStoreError(`run ${run.runId} exists and then does not in ${this.tableName}`);
    return { run: stored, created };
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const item = await this.#get(runKey(runId), `reading run ${runId}`);
    return item ? this.#runFrom(item) : null;
  }

  async putResult(
    run: RunRecord,
    shardId: string,
    attempt: string,
    chunks: readonly Uint8Array[],
  ): Promise<void> {
    await forEachBounded(chunks, 4, (chunk, index) =>
      this.#send('PutItem', `storing part ${index + 1} of shard ${shardId}'s result`, () =>
        this.#client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              [PK]: chunkKey(run.runId, shardId, attempt, index),
              data: chunk,
              [TTL]: expiresAt(run.createdAtMs),
            },
          }),
        ),
      ).then(() => undefined),
    );
  }

  async markShardDone(runId: string, shardId: string, summary: ShardSummary): Promise<RunRecord | null> {
    let attributes: StoredItem | undefined;
    const applied = await this.#conditional(
      'UpdateItem',
      `recording shard ${shardId} of run ${runId}`,
      async () => {
        const output = await this.#client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { [PK]: runKey(runId) },
            UpdateExpression: 'SET results.#shard = :summary',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(results.#shard)',
            ExpressionAttributeNames: { '#shard': shardId },
            ExpressionAttributeValues: { ':summary': summaryItem(summary) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        attributes = output.Attributes;
      },
    );
    return applied && attributes ? this.#runFrom(attributes) : null;
  }

  async readResult(runId: string, shardId: string, summary: ShardSummary): Promise<Uint8Array[]> {
    const chunks: Uint8Array[] = new Array(summary.chunks);
    const indexes = Array.from({ length: summary.chunks }, (_, index) => index);
    await forEachBounded(indexes, 4, async (index) => {
      const item = await this.#get(
        chunkKey(runId, shardId, summary.attempt, index),
        `reading part ${index + 1} of shard ${shardId}'s result`,
      );
      const data = item?.data;
      if (!(data instanceof Uint8Array)) {
        throw new RunStoreError(
          `part ${index + 1} of ${summary.chunks} of shard ${shardId}'s result (run ${runId}) is missing from ` +
            `${this.tableName}: the run expired (items live ${RUN_TTL_DAYS} days) or was changed by hand`,
        );
      }
      chunks[index] = data;
    });
    return chunks;
  }

  async claimDigest(
    runId: string,
    claimant: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<RunRecord | null> {
    let attributes: StoredItem | undefined;
    const applied = await this.#conditional('UpdateItem', `claiming the digest of run ${runId}`, async () => {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: runKey(runId) },
          UpdateExpression: 'SET claimedBy = :me, claimedUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(closedAt) AND ' +
            '(attribute_not_exists(claimedUntil) OR claimedUntil < :now)',
          ExpressionAttributeValues: {
            ':me': claimant,
            ':until': nowMs + leaseMs,
            ':now': nowMs,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      attributes = output.Attributes;
    });
    return applied && attributes ? this.#runFrom(attributes) : null;
  }

  async releaseDigest(runId: string, claimant: string): Promise<void> {
    await this.#conditional('UpdateItem', `releasing the digest of run ${runId}`, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: runKey(runId) },
          UpdateExpression: 'REMOVE claimedBy, claimedUntil',
          ConditionExpression: 'claimedBy = :me AND attribute_not_exists(closedAt)',
          ExpressionAttributeValues: { ':me': claimant },
        }),
      ),
    );
  }

  async closeRun(runId: string, nowMs: number, as: 'complete' | 'incomplete'): Promise<void> {
    // Whoever sent the digest closes the run, even if its lease ran out meanwhile: the sooner it is closed, the
    // fewer callers can take the claim over and send a second digest.
    await this.#conditional('UpdateItem', `closing run ${runId}`, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: runKey(runId) },
          UpdateExpression: 'SET closedAt = :now, closedAs = :as REMOVE claimedUntil',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(closedAt)',
          ExpressionAttributeValues: { ':now': nowMs, ':as': as },
        }),
      ),
    );
    await this.forgetOpenRun(runId);
  }

  async openRuns(): Promise<string[]> {
    const item = await this.#get(OPEN_RUNS_KEY, 'reading the open runs');
    // Run ids begin with their planning instant, so they sort oldest first.
    const runs = item?.runs;
    return runs instanceof Set ? [...runs].filter((id): id is string => typeof id === 'string').sort() : [];
  }

  async forgetOpenRun(runId: string): Promise<void> {
    await this.#send('UpdateItem', `removing run ${runId} from the open runs`, () =>
      this.#client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [PK]: OPEN_RUNS_KEY },
          UpdateExpression: 'DELETE runs :run',
          ExpressionAttributeValues: { ':run': new Set([runId]) },
        }),
      ),
    );
  }

  async #get(key: string, subject: string): Promise<StoredItem | undefined> {
    const output = await this.#send('GetItem', subject, () =>
      this.#client.send(
        new GetCommand({ TableName: this.tableName, Key: { [PK]: key }, ConsistentRead: true }),
      ),
    );
    return output.Item;
  }

  /** A conditional write: true when applied, false when its condition did not hold. */
  async #conditional(operation: string, subject: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.#send(operation, subject, send);
      return true;
    } catch (error) {
      if (error instanceof RunStoreError && isConditionFailure(error.cause)) return false;
      throw error;
    }
  }

  async #send<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof CertwatchError) throw error;
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new RunStoreError(
        `DynamoDB ${operation} on run table ${this.tableName} (${subject}) failed: ${reason}. Check that the ` +
          "table exists in the function's region and that its role allows dynamodb:GetItem, PutItem and " +
          'UpdateItem on it.',
        { cause: error },
      );
    }
  }

  #runFrom(item: StoredItem): RunRecord {
    const key = optionalText(item[PK]);
    try {
      const runId = text(item, 'runId');
      const shards = (JSON.parse(text(item, 'shards')) as unknown[]).map(parseShard);
      const results = new Map<string, ShardSummary>();
      for (const [shardId, value] of Object.entries(mapOf(item.results) ?? {})) {
        results.set(shardId, summaryFrom(mapOf(value) ?? {}));
      }
      const claimedBy = optionalText(item.claimedBy);
      const claimedUntil = numberText(item.claimedUntil);
      const closedAt = numberText(item.closedAt);
      const closedAs = optionalText(item.closedAs);
      return {
        runId,
        nowMs: number(item, 'nowMs'),
        createdAtMs: number(item, 'createdAtMs'),
        shards,
        results,
        claim: claimedBy && claimedUntil ? { by: claimedBy, untilMs: Number(claimedUntil) } : null,
        closed:
          closedAt && (closedAs === 'complete' || closedAs === 'incomplete')
            ? { atMs: Number(closedAt), as: closedAs }
            : null,
      };
    } catch (error) {
      throw new RunStoreError(
        `DynamoDB table ${this.tableName} holds an item that is not a certwatch run (${PK} ${JSON.stringify(key)}): ` +
          `${error instanceof Error ? error.message : String(error)}. Check that CERTWATCH_RUN_TABLE names the ` +
          "sharded mode's own table.",
        { cause: error },
      );
    }
  }
}

/** The table this store needs: `pk` (S) as partition key, on demand. Enable TTL with `runTableTimeToLive`. */
export function createRunTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: PK, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: PK, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

export function runTableTimeToLive(tableName: string): UpdateTimeToLiveCommandInput {
  return { TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL, Enabled: true } };
}

function runKey(runId: string): string {
  return `run#${runId}`;
}

function chunkKey(runId: string, shardId: string, attempt: string, index: number): string {
  return `run#${runId}#${shardId}#${attempt}#${index}`;
}

function expiresAt(createdAtMs: number): number {
  return Math.floor(createdAtMs / 1000) + RUN_TTL_DAYS * 86_400;
}

/** A map (M): the attempt a string, the figures numbers. */
function summaryItem(summary: ShardSummary): StoredItem {
  return {
    attempt: summary.attempt,
    chunks: summary.chunks,
    certificates: summary.certificates,
    failures: summary.failures,
    requests: summary.requests,
    throttled: summary.throttled,
  };
}

function summaryFrom(item: StoredItem): ShardSummary {
  return {
    attempt: text(item, 'attempt'),
    chunks: number(item, 'chunks'),
    certificates: number(item, 'certificates'),
    failures: number(item, 'failures'),
    requests: number(item, 'requests'),
    throttled: number(item, 'throttled'),
  };
}

function text(item: StoredItem, name: string): string {
  const value = optionalText(item[name]);
  if (value === undefined) throw new TypeError(`${name} (S) is missing`);
  return value;
}

function number(item: StoredItem, name: string): number {
  const value = Number(numberText(item[name]));
  if (!Number.isFinite(value)) throw new TypeError(`${name} (N) is missing`);
  return value;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The attributes of a map (M) as unmarshalled: a plain object. Lists (L), sets, binary (B) and numbers
 * (NumberValue) are objects too, and are not maps.
 */
function mapOf(value: unknown): StoredItem | undefined {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
    ? (value as StoredItem)
    : undefined;
}

function isConditionFailure(error: unknown): boolean {
  // By name too: a second copy of the SDK in the bundle would fail the instanceof.
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
