/**
 * Parse + evaluate alone: CPU per UCloud certificate for mapping the wire item (PEM chain included) and judging
 * it, without the I/O. The items are fetched again, one listing at a time, and timed a page at a time, so the
 * fleet's PEMs are never all held at once.
 */
import { loadConfig } from '../../lib/config';
import { evaluate } from '../../lib/expiry/evaluate';
import { UcloudClient } from '../../lib/providers/ucloud/client';
import { listSslV2, type SslInfoWire } from '../../lib/providers/ucloud/describeSslV2';
import { mapSslInfo } from '../../lib/providers/ucloud/mapper';
import { ucloudTargets } from '../../lib/providers/ucloud/source';

const BATCH = 100;

export async function parseAndEvaluateSection(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env);
  if (!config.ucloud) return '';
  const client = new UcloudClient({ ...config.ucloud, timeoutMs: config.requestTimeoutMs });
  const nowMs = Date.now();
  let micros = 0;
  let count = 0;
  for (const target of ucloudTargets(config.ucloud)) {
    let batch: SslInfoWire[] = [];
    const judge = () => {
      const before = process.cpuUsage();
      for (const info of batch)
        evaluate(mapSslInfo(info, target.region, target.projectId), nowMs, config.statusDays);
      const cpu = process.cpuUsage(before);
      micros += cpu.user + cpu.system;
      count += batch.length;
      batch = [];
    };
    for await (const info of listSslV2(client, target)) {
      batch.push(info);
      if (batch.length >= BATCH) judge();
    }
    judge();
  }
  return (
    `Parse + evaluate alone (lib/providers/ucloud/mapper mapSslInfo + lib/expiry evaluate, no I/O), over the ` +
    `${count.toLocaleString('en-US')} UCloud certificates as the wire sends them: ` +
    `${(micros / Math.max(count, 1)).toFixed(0)} µs CPU per certificate.\n`
  );
}
