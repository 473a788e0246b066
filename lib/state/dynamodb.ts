/**
 * Alert history in a DynamoDB table, for Lambda: one item per certificate, so concurrent runs (an overlapping
 * schedule, a retry) agree through conditional writes on who sends each alert.
 *
 * Item: `pk` (S, the certificateKey), `rung`, `notAfter`, `state`, `at`, `leaseUntil` (S, as StoredHistory in
 * history.ts writes them; `at` and `leaseUntil` fixed-width ISO so they compare as strings), and `expiresAt` (N, epoch seconds), the
 * table's TTL attribute, so certificates that left the fleet stop costing storage; `owner` (S) when the claiming
 * invocation is known.
 *
 * No known expiry (AlertHistory.notAfterMs null) is `notAfter` S "none" (NO_KNOWN_EXPIRY). A string, so that the
 * claim's `notAfter <> :notAfter` compares it like any other notAfter in one atomic conditional write: a missing
 * attribute would make every comparison false (a renewal would never win), and how `<>` treats NULL values is not
 * something the DynamoDB documentation promises. Not empty, so that neither the item nor the claim's expression
 * values lean on DynamoDB's support for empty strings. Older versions wrote S "", which is read as null too; the
 * first claim that finds it (the plan makes one only when the alert is due anyway) writes "none" in its place.
 *
 * An item that is not usable alert state is skipped by `load` and reported (its certificate may be alerted once
 * more), and a claim replaces it: CLAIM_CONDITION wins over an item without the attributes a history needs.
 */
import {
  ConditionalCheckFailedException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CertwatchError } from '../errors';
import { sleep as timerSleep } from '../http/abort';
import { retrying } from '../http/retry';
import { documentClient } from './documentClient';
import { StateStoreError } from './errors';
import { readStoredHistory, storedHistory, storedInstant } from './history';
import { claimedHistory, LEASE_ENDED_MS } from './memory';
import type { AlertHistory, AlertStateStore, ClaimRequest, LoadOptions } from './store';

/** The table's partition key (S): the certificateKey. */
export const PARTITION_KEY = 'pk';
/** The attribute DynamoDB's TTL must be enabled on (N, epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
/** BatchGetItem reads at most this many keys per call. */
export const BATCH_GET_LIMIT = 100;

/** The stored notAfter of a certificate with no known expiry (see the header). */
export const NO_KNOWN_EXPIRY = 'none';

/**
 * The item has what a usable history needs, as far as a condition can tell: string rung and notAfter, a known
 * state, `at` and `leaseUntil` strings that sort like instants (every instant the stores write lies between
 * :firstInstant and :lastInstant), and no owner or a string one. Every item `load` skips fails this too, so a
 * claim replaces it, except one a condition cannot tell from an instant (an `at` in month 13, which certwatch never
 * writes): that one holds its certificate's alert back until the rung or notAfter changes.
 */
export const USABLE_ITEM =
  'attribute_type(rung, :string) AND attribute_type(notAfter, :string) AND ' +
  '#state IN (:sending, :digested, :sent) AND attribute_type(#at, :string) AND ' +
  // The types first: moto fails a BETWEEN of a number and strings with a server error rather than false.
  'attribute_type(leaseUntil, :string) AND #at BETWEEN :firstInstant AND :lastInstant AND ' +
  'leaseUntil BETWEEN :firstInstant AND :lastInstant AND (attribute_not_exists(#owner) OR attribute_type(#owner, :string))';

/**
 * A claim wins when nothing usable is stored, or another rung or notAfter is, or an unfinished claim's lease
 * ended (one still `sending`, or `digested` with its structured message owed): `claimWins` in memory.ts, as one
 * condition so that the check and the write are one atomic step.
 */
export const CLAIM_CONDITION =
  `attribute_not_exists(pk) OR NOT (${USABLE_ITEM}) OR rung <> :rung OR notAfter <> :notAfter OR ` +
  '((#state = :sending OR #state = :digested) AND leaseUntil < :now)';
/** CLAIM_CONDITION, and an unfinished claim of the same owner (a retry of the invocation that made it). */
export const OWNED_CLAIM_CONDITION = `${CLAIM_CONDITION} OR ((#state = :sending OR #state = :digested) AND #owner = :owner)`;
/** Confirm only our rung: if another rung replaced it, confirming would mark that one delivered. */
export const CONFIRM_CONDITION = 'rung = :rung';
/** Release only our own undelivered claim, never a delivered alert or a later rung. */
export const RELEASE_CONDITION = 'rung = :rung AND #state = :sending';

export interface DynamoStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * Days an item lives after its last write before TTL removes it. The default, 400, outlasts the longest
   * publicly trusted certificate (398 days), so history is never dropped while its certificate is still valid.
   */
  ttlDays?: number;
  /** BatchGetItem calls per chunk of keys while DynamoDB leaves some unprocessed (throttling); default 5. */
  maxBatchAttempts?: number;
  /** Waits between those calls; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

export class DynamoStateStore implements AlertStateStore {
  readonly name = 'dynamodb';
  readonly tableName: string;
  readonly #client: DynamoDBClient;
  readonly #documents: DynamoDBDocumentClient;
  readonly #ttlSeconds: number;
  readonly #maxBatchAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoStateStoreOptions) {
    const { client, tableName, ttlDays = 400, maxBatchAttempts = 5, sleep = timerSleep } = options;
    if (!(ttlDays > 0 && Number.isFinite(ttlDays))) {
      throw new StateStoreError(
        `DynamoDB alert state table ${tableName}: ttlDays ${ttlDays} is not a positive number`,
      );
    }
    this.#client = client;
    this.#documents = documentClient(client);
    this.tableName = tableName;
    this.#ttlSeconds = Math.round(ttlDays * 86_400);
    this.#maxBatchAttempts = Math.max(1, maxBatchAttempts);
    this.#sleep = sleep;
  }

  async load(
    certificateKeys: readonly string[],
    options: LoadOptions = {},
  ): Promise<Map<string, AlertHistory>> {
    // BatchGetItem rejects a request that names the same key twice.
    const keys = [...new Set(certificateKeys)];
    const found = new Map<string, AlertHistory>();
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
      for (const item of await this.#batchGet(keys.slice(start, start + BATCH_GET_LIMIT))) {
        const key = item[PARTITION_KEY];
        // Only keys we asked for come back; one without a string key cannot be told apart, nor used.
        if (typeof key !== 'string') continue;
        const read = historyFrom(key, item);
        if ('history' in read) found.set(key, read.history);
        else options.onUnusable?.({ certificateKey: key, problem: read.problem });
      }
    }
    return found;
  }

  async claim(request: ClaimRequest): Promise<boolean> {
    const claimed = claimedHistory(request);
    const history = storedHistory(claimed);
    const owned = history.owner !== undefined;
    const command = new PutCommand({
      TableName: this.tableName,
      Item: this.#item(claimed),
      ConditionExpression: owned ? OWNED_CLAIM_CONDITION : CLAIM_CONDITION,
      // STATE, AT and OWNER are DynamoDB reserved words.
      ExpressionAttributeNames: { '#state': 'state', '#at': 'at', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':rung': history.rung,
        ':notAfter': itemNotAfter(history.notAfter),
        ':sending': 'sending',
        ':digested': 'digested',
        ':sent': 'sent',
        ':now': history.at,
        ':string': 'S',
        ':firstInstant': FIRST_INSTANT,
        ':lastInstant': LAST_INSTANT,
        ...(owned ? { ':owner': history.owner! } : {}),
      },
    });
    return this.#conditional(
      () => this.#documents.send(command),
      'PutItem',
      `claim of ${history.rung} for ${history.certificateKey}`,
    );
  }

  async confirm(
    certificateKey: string,
    rung: string,
    nowMs: number,
    delivered: 'sent' | 'digested' = 'sent',
    keepLease = false,
  ): Promise<void> {
    // The instant a claim at this clock would write: the same check, the same text.
    const { atMs } = claimedHistory({ certificateKey, rung, notAfterMs: null, nowMs, leaseMs: 0 });
    const at = storedInstant(atMs);
    const endLease = delivered === 'digested' && !keepLease;
    const command = new UpdateCommand({
      TableName: this.tableName,
      Key: { [PARTITION_KEY]: certificateKey },
      UpdateExpression: `SET #state = :sent, #at = :at, #expiresAt = :expiresAt${endLease ? ', leaseUntil = :leaseEnded' : ''}`,
      ConditionExpression: CONFIRM_CONDITION,
      // STATE and AT are DynamoDB reserved words.
      ExpressionAttributeNames: { '#state': 'state', '#at': 'at', '#expiresAt': TTL_ATTRIBUTE },
      ExpressionAttributeValues: {
        ':rung': rung,
        ':sent': delivered,
        ':at': at,
        ':expiresAt': this.#expiresAt(atMs),
        ...(endLease ? { ':leaseEnded': storedInstant(LEASE_ENDED_MS) } : {}),
      },
    });
    await this.#conditional(
      () => this.#documents.send(command),
      'UpdateItem',
      `confirm of ${rung} for ${certificateKey}`,
    );
  }

  async release(certificateKey: string, rung: string, restore?: AlertHistory): Promise<void> {
    const condition = {
      ConditionExpression: RELEASE_CONDITION,
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':rung': rung, ':sending': 'sending' },
    };
    const command = restore
      ? new PutCommand({
          TableName: this.tableName,
          Item: this.#item({ ...restore, certificateKey }),
          ...condition,
        })
      : new DeleteCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: certificateKey },
          ...condition,
        });
    await this.#conditional(
      // Each branch is one conditional write; the SDK's overloads want the command's own type.
      () => (command instanceof PutCommand ? this.#documents.send(command) : this.#documents.send(command)),
      restore ? 'PutItem' : 'DeleteItem',
      `release of ${rung} for ${certificateKey}`,
    );
  }

  async forget(certificateKey: string): Promise<void> {
    const command = new DeleteCommand({
      TableName: this.tableName,
      Key: { [PARTITION_KEY]: certificateKey },
    });
    try {
      await this.#documents.send(command);
    } catch (error) {
      throw await this.#failure(error, 'DeleteItem', `forget of ${certificateKey}`);
    }
  }

  /** Sends a conditional write: true when it was applied, false when its condition did not hold. */
  async #conditional(send: () => Promise<unknown>, operation: string, subject: string): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw await this.#failure(error, operation, subject);
    }
  }

  /** The items for `keys` (at most BATCH_GET_LIMIT), asking again for keys DynamoDB left unprocessed. */
  async #batchGet(keys: readonly string[]): Promise<StoredItem[]> {
    const items: StoredItem[] = [];
    let pending: StoredItem[] = keys.map((key) => ({ [PARTITION_KEY]: key }));
    await retrying(
      async () => {
        let output: BatchGetCommandOutput;
        try {
          output = await this.#sendBatchGet(pending);
        } catch (error) {
          throw await this.#failure(error, 'BatchGetItem', `load of ${keys.length} certificates`);
        }
        items.push(...(output.Responses?.[this.tableName] ?? []));
        pending = output.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      },
      {
        // Unprocessed keys mean throttling: ask again for those only, 50 ms, then doubling. A failed call is final.
        policy: { attempts: this.#maxBatchAttempts, baseDelayMs: 50, maxDelayMs: Infinity, jitter: 'none' },
        classify: (outcome) => ({ retry: outcome.ok && pending.length > 0 }),
        giveUp: () => {
          throw new StateStoreError(
            `DynamoDB BatchGetItem on table ${this.tableName} left ${pending.length} keys unprocessed after ` +
              `${this.#maxBatchAttempts} attempts: the table is being throttled. Check its capacity (on-demand ` +
              'tables have limits too) and run again.',
          );
        },
        sleep: (ms) => this.#sleep(ms),
      },
    );
    return items;
  }

  #sendBatchGet(keys: StoredItem[]): Promise<BatchGetCommandOutput> {
    return this.#documents.send(
      new BatchGetCommand({
        // Consistent: a run reads right after the previous run's writes, and a stale read repeats an alert.
        RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } },
      }),
    );
  }

  /** Every attribute a string (S) but the TTL, a number (N). */
  #item(claimed: AlertHistory): StoredItem {
    const history = storedHistory(claimed);
    return {
      [PARTITION_KEY]: history.certificateKey,
      rung: history.rung,
      notAfter: itemNotAfter(history.notAfter),
      state: history.state,
      at: history.at,
      leaseUntil: history.leaseUntil,
      [TTL_ATTRIBUTE]: this.#expiresAt(claimed.atMs),
      ...(history.owner ? { owner: history.owner } : {}),
    };
  }

  #expiresAt(atMs: number): number {
    return Math.floor(atMs / 1000) + this.#ttlSeconds;
  }

  async #failure(error: unknown, operation: string, subject: string): Promise<CertwatchError> {
    if (error instanceof CertwatchError) return error;
    const region = await this.#client.config.region().catch(() => 'the client region');
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new StateStoreError(
      `DynamoDB ${operation} on alert state table ${this.tableName} (${subject}) failed: ${reason}. Check that ` +
        `the table exists in ${region}, and that the function's role allows dynamodb:GetItem, PutItem, ` +
        'UpdateItem, DeleteItem and BatchGetItem on it.',
      { cause: error },
    );
  }
}

/** The table this store needs: `pk` (S) as partition key, on-demand. Enable TTL with `timeToLiveInput`. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  };
}

/** Turns on TTL over `expiresAt`; DynamoDB only takes it once the table exists, hence a call of its own. */
export function timeToLiveInput(tableName: string): UpdateTimeToLiveCommandInput {
  return {
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
  };
}

/**
 * Bounds of the instants the stores write (fixed-width ISO, years 0000 to 9999), as strings: USABLE_ITEM checks
 * that `at` and `leaseUntil` sort between them.
 */
const FIRST_INSTANT = '0000-01-01T00:00:00.000Z';
const LAST_INSTANT = '9999-12-31T23:59:59.999Z';

/** An item as the DocumentClient gives it: strings for S, NumberValue for N, and so on (documentClient.ts). */
type StoredItem = Record<string, unknown>;

/** The item's notAfter: the stored text (storedNotAfter), NO_KNOWN_EXPIRY for none. */
function itemNotAfter(notAfter: string | null): string {
  return notAfter ?? NO_KNOWN_EXPIRY;
}

/** The history in an item, or what is wrong with it (readStoredHistory, after the attributes' own types). */
function historyFrom(key: string, item: StoredItem): { history: AlertHistory } | { problem: string } {
  const text = (name: string) => {
    const value = item[name];
    return typeof value === 'string' ? value : undefined;
  };
  const notAfter = text('notAfter');
  for (const name of ['rung', 'notAfter', 'state', 'at', 'leaseUntil'] as const) {
    if (item[name] === undefined) return { problem: `has no ${name}` };
    if (text(name) === undefined) return { problem: `has ${name} that is not a string (S)` };
  }
  if (item.owner !== undefined && text('owner') === undefined) {
    return { problem: 'has an owner that is not a string' };
  }
  return readStoredHistory(key, {
    certificateKey: key,
    rung: text('rung'),
    notAfter: notAfter === NO_KNOWN_EXPIRY ? null : notAfter,
    state: text('state'),
    at: text('at'),
    leaseUntil: text('leaseUntil'),
    owner: text('owner'),
  });
}

function isConditionFailure(error: unknown): boolean {
  // By name too: a second copy of the SDK in the bundle would fail the instanceof.
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}
