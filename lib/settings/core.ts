/** The settings of certwatch itself, beside those the providers and channels declare. */
import type { Setting } from './setting';

export const CORE_SETTINGS: readonly Setting[] = [
  {
    key: 'CERTWATCH_WARNING_DAYS',
    description: 'warning when at most this many whole days remain',
    default: '30',
  },
  {
    key: 'CERTWATCH_CRITICAL_DAYS',
    description: 'critical when at most this many whole days remain',
    default: '7',
  },
  {
    key: 'CERTWATCH_REQUEST_TIMEOUT_MS',
    description: 'per-request timeout to a provider API',
    default: '10000',
  },
  {
    key: 'CERTWATCH_THRESHOLDS',
    description: 'the alert rungs, in days (and one optional `N%` of lifetime)',
    default: '`30,14,7,3,1`',
  },
  {
    key: 'CERTWATCH_REMINDER_HOURS',
    description: 'how often an expired certificate still in use reminds',
    default: '24',
  },
  {
    key: 'CERTWATCH_RULES_FILE',
    description: 'per-certificate alert rules, JSON or YAML (the Lambda function reads JSON only)',
  },
  {
    key: 'CERTWATCH_STATE_TABLE',
    description: 'DynamoDB table of alert history (set by `serverless.yml`)',
  },
  {
    key: 'CERTWATCH_STATE_FILE',
    description: 'alert history file for `certwatch scan`',
    default: '`.certwatch/alert-state.json`',
  },
  {
    key: 'CERTWATCH_METRICS_NAMESPACE',
    description: "CloudWatch namespace of the Lambda's EMF metrics (set by `serverless.yml`)",
    default: '`Certwatch`',
  },
  {
    key: 'CERTWATCH_ALLOW_PLAIN_HTTP_ENDPOINTS',
    description:
      '`true`: provider endpoints may be plain `http://` to any host, not only to this machine (a proxy on a private link)',
    default: '`false`',
  },
];
