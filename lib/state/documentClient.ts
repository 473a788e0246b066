/**
 * The DocumentClient both DynamoDB stores (alert history here, sharded runs in lib/shard/dynamoRunStore.ts) send
 * through: it marshals plain values to attribute values and back, so the stores write and read items as objects.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, NumberValue, type TranslateConfig } from '@aws-sdk/lib-dynamodb';

/**
 * One configuration for every store: DynamoDBDocumentClient.from sets it on the wrapped client's own config, so
 * two stores over one client (the sharded worker's) would otherwise unmarshal by whichever was built last.
 *
 * Numbers come back as NumberValue (their N text): unmarshalling a number outside the safe integer range, which
 * an item edited by hand may hold, would otherwise fail the whole read instead of the one unusable item. Undefined
 * values are not removed: the stores never write one, and dropping an attribute silently would change an item.
 */
const TRANSLATE_CONFIG: TranslateConfig = {
  marshallOptions: { convertEmptyValues: false, removeUndefinedValues: false },
  unmarshallOptions: { wrapNumbers: true },
};

/** `client` wrapped in a DocumentClient (sharing its configuration, middleware and sockets). */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, TRANSLATE_CONFIG);
}

/** The text of an N attribute as unmarshalled under TRANSLATE_CONFIG; undefined for any other type. */
export function numberText(value: unknown): string | undefined {
  return value instanceof NumberValue ? value.value : undefined;
}
