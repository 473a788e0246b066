/** What the AWS SDK clients certwatch builds take (SNS, SES, SSM, DynamoDB): the SDK's own chain fills in the rest. */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}
