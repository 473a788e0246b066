/**
 * An AWS SDK error in one line, for the alert channels' delivery errors (SNS, SES): its name and message, and the
 * HTTP status and request id the SDK keeps in `$metadata`, which AWS support asks for.
 */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const meta = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  const details = [
    meta?.httpStatusCode === undefined ? null : `HTTP ${meta.httpStatusCode}`,
    meta?.requestId ? `request ${meta.requestId}` : null,
  ].filter(Boolean);
  return `${error.name}: ${error.message}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
