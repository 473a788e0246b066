/**
 * What `npm run bench:coldstart` times: the Lambda module (functions/scan.ts, unchanged) plus the SDK clients
 * and commands its first invocation uses, re-exported so the timing process builds them from the same copy of
 * the SDK the handler loaded: the bundle's own, or the runtime's when the SDK is external.
 */
export { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
export { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
export { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
export * from '../functions/scan';
