/**
 * The Alibaba Certificate Management Service (CAS) inventory as a source: four listings (issued and uploaded,
 * current and expired), one GetUserCertificateDetail per certificate (a bounded number in flight), and
 * ListCloudResources per batch of certificates for where each is deployed. A listing, a certificate's details or
 * a batch's deployments that fail are named failures; every listed certificate is still reported, once.
 */
import { forEachPaged } from '../../../concurrency';
import { ProviderError } from '../../../errors';
import { failureMessage } from '../../../inert';
import type { ObservedCertificate } from '../../../model';
import { listPages } from '../../listing';
import type { CertificateSource, ProviderDeps, ScanSink } from '../../source';
import { aliyunClient } from '../client';
import type { AliyunConfig } from '../config';
import {
  type CasCertificateDetail,
  type CasDeployment,
  getUserCertificateDetail,
  mapCasCertificate,
} from './getUserCertificateDetail';
import { CAS_RESOURCE_BATCH, casDeployments } from './listCloudResources';
import {
  CAS_LISTING_LIMITS,
  CAS_ORDER_QUERIES,
  type CasOrderEntry,
  casIdOf,
  casOrderListing,
} from './listUserCertificateOrder';

/**
 * GetUserCertificateDetail calls in flight. Its quota is 100 calls/s per account (reference §2); the client's
 * pacing keeps the rate, this only has to keep it busy at slow round trips (100 calls/s × 300 ms).
 */
export const CAS_DETAIL_CONCURRENCY = 32;
/** Listed certificates waiting for their details: ten pages of 50 at most, whatever the inventory's size. */
const CAS_READ_AHEAD = 500;

interface SourceOptions {
  requestTimeoutMs: number;
  casConcurrency?: number;
}

/** A certificate read, waiting for its batch's deployments. */
interface Described {
  id: string;
  entry: CasOrderEntry;
  detail: CasCertificateDetail | null;
  notes: string[];
}

export function aliyunCasSource(
  config: AliyunConfig,
  options: SourceOptions,
  deps: ProviderDeps = {},
): CertificateSource {
  const client = aliyunClient(config, { product: 'CAS' }, options, deps);
  const fail = (sink: ScanSink, message: string) =>
    sink.failure({ provider: 'aliyun', service: 'cas', region: null, project: null, message });
  return {
    provider: 'aliyun',
    service: 'cas',
    async scan(sink, signal) {
      const listingFailures: string[] = [];
      // The four listings as one stream, each certificate once (by CertificateId) in the first listing naming it.
      const seen = new Set<string>();
      const pages = async function* () {
        for (const query of CAS_ORDER_QUERIES) {
          try {
            for await (const page of listPages(casOrderListing(client, query), CAS_LISTING_LIMITS, signal)) {
              const fresh = page.filter((entry) => {
                const id = casIdOf(entry.CertificateId)!;
                if (seen.has(id)) return false;
                seen.add(id);
                return true;
              });
              if (fresh.length > 0) yield fresh;
            }
          } catch (error) {
            if (signal?.aborted) throw error;
            // What this listing yielded before it failed is reported; the other listings still run.
            listingFailures.push(failureMessage(error));
          }
        }
      };

      const unread: { id: string; message: string }[] = [];
      const unplaced: { ids: string[]; message: string }[] = [];
      const report = async (batch: Described[]) => {
        let deployments: Map<string, CasDeployment> | null = null;
        try {
          deployments = await casDeployments(
            client,
            batch.map((item) => item.id),
            signal,
          );
        } catch (error) {
          unplaced.push({ ids: batch.map((item) => item.id), message: failureMessage(error) });
        }
        for (const item of batch) {
          const observed: ObservedCertificate = mapCasCertificate(
            item.entry,
            item.detail,
            deployments?.get(item.id) ?? null,
          );
          observed.notes.push(...item.notes);
          if (!deployments) observed.notes.push('where it is deployed could not be read (see the failures)');
          sink.certificate(observed);
        }
      };

      let batch: Described[] = [];
      const describe = async (entry: CasOrderEntry) => {
        const id = casIdOf(entry.CertificateId)!;
        const item: Described = { id, entry, detail: null, notes: [] };
        try {
          item.detail = await getUserCertificateDetail(client, id, signal);
        } catch (error) {
          if (error instanceof ProviderError && error.code.startsWith('NotFound')) {
            // Deleted between the list and the lookup (CAS's NotFound codes are unconfirmed: any starting so).
            item.notes.push('CAS no longer finds it (deleted during the scan?): shown as listed');
          } else {
            unread.push({ id, message: failureMessage(error) });
            item.notes.push('its details could not be read (see the failures)');
          }
        }
        batch.push(item);
        if (batch.length >= CAS_RESOURCE_BATCH) {
          const full = batch;
          batch = [];
          await report(full);
        }
      };

      await forEachPaged(
        pages(),
        options.casConcurrency ?? CAS_DETAIL_CONCURRENCY,
        CAS_READ_AHEAD,
        describe,
      ).catch((error: unknown) => fail(sink, failureMessage(error)));
      if (batch.length > 0) await report(batch);

      for (const message of listingFailures) fail(sink, message);
      if (unread.length > 0) {
        fail(
          sink,
          `the details of ${countOf(unread.map((u) => u.id))} could not be read: ${unread[0]!.message}`,
        );
      }
      if (unplaced.length > 0) {
        const ids = unplaced.flatMap((u) => u.ids);
        fail(sink, `where ${countOf(ids)} are deployed could not be read: ${unplaced[0]!.message}`);
      }
    },
  };
}

/** `3 certificate(s) (12, 13, 14)`: the first five ids, sorted. */
function countOf(ids: string[]): string {
  const sorted = [...ids].sort();
  const shown = sorted.slice(0, 5).join(', ') + (sorted.length > 5 ? ` and ${sorted.length - 5} more` : '');
  return `${ids.length} CAS certificate(s) (${shown})`;
}
