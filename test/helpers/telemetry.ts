/** Handler deps that keep a test's output quiet: logs and metrics go nowhere (tests that check them capture them). */
import { createJsonLogger } from '../../lib/telemetry/log';

export const quietTelemetry = { log: createJsonLogger({ write: () => {} }), emitMetric: () => {} };
