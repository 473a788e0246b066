/**
 * What the emulated UCloud account holds, indexed once per emulator so that each request is a lookup: accounts by
 * PublicKey, projects, and the certificates of each (Region, ProjectId) already in wire shape. The fleet is copied,
 * never changed: a test that adds or removes certificates mid-scan edits this store only.
 */
import type { Fleet, UcloudAccount, UcloudFleetCertificate } from '../fleet/model';

/** The account used when the fleet names none (the demo's credentials). */
export const DEFAULT_UCLOUD_ACCOUNT: Readonly<UcloudAccount> = Object.freeze({
  PublicKey: 'demo-public-key',
  PrivateKey: 'demo-private-key',
});

/** The one (empty) project of a fleet that names no project at all. */
export const EMPTY_FLEET_PROJECT = 'org-default';

/** A DescribeSSLV2 DataSet item: the fleet entry minus where it lives (Region and ProjectId are not on the wire). */
export type UcloudSslInfo = Omit<UcloudFleetCertificate, 'Region' | 'ProjectId'>;

export interface UcloudStore {
  /** The account owning this PublicKey, if any. */
  account(publicKey: string): UcloudAccount | undefined;
  /** The project used when a request names none: the account's first project, else the first project known. */
  defaultProject(account: UcloudAccount): string;
  /** Whether the project exists and this account may read it. */
  canRead(account: UcloudAccount, projectId: string): boolean;
  /** The certificates of one region and project, in fleet order (stable across calls unless edited). */
  certificates(region: string, projectId: string): readonly UcloudSslInfo[];
  /**
   * Adds a certificate to its region and project: last, or first (the list order of the real API is unverified;
   * newest first would shift every offset page).
   */
  add(certificate: UcloudFleetCertificate, at?: 'first' | 'last'): void;
  /** Removes the certificate with this SSLId wherever it is; false when there is none. */
  remove(sslId: string): boolean;
}

/**
 * Indexes the UCloud part of a fleet. Projects that exist = the certificates' ProjectIds, then
 * `fleet.ucloud.projects`, then the accounts' own `Projects`, in that order of first appearance; when that is
 * nothing, the single empty project `org-default`.
 */
export function createUcloudStore(fleet: Fleet | undefined): UcloudStore {
  const ucloud = fleet?.ucloud;
  const accounts = ucloud?.accounts?.length ? ucloud.accounts : [DEFAULT_UCLOUD_ACCOUNT];
  const byPublicKey = new Map(accounts.map((account) => [account.PublicKey, account] as const));

  const projects = new Set<string>();
  const byLocation = new Map<string, UcloudSslInfo[]>();
  const add = (certificate: UcloudFleetCertificate, at: 'first' | 'last' = 'last') => {
    const { Region, ProjectId, ...wire } = certificate;
    projects.add(ProjectId);
    const key = locationKey(Region, ProjectId);
    const list = byLocation.get(key);
    if (!list) byLocation.set(key, [wire]);
    else if (at === 'first') list.unshift(wire);
    else list.push(wire);
  };
  for (const certificate of ucloud?.certificates ?? []) add(certificate);
  for (const project of ucloud?.projects ?? []) projects.add(project);
  for (const account of accounts) for (const project of account.Projects ?? []) projects.add(project);
  // A real account always has a default project, even when it holds nothing.
  if (projects.size === 0) projects.add(EMPTY_FLEET_PROJECT);
  const firstProject: string = projects.values().next().value!;

  return {
    account: (publicKey) => byPublicKey.get(publicKey),
    defaultProject: (account) => account.Projects?.[0] ?? firstProject,
    canRead: (account, projectId) =>
      projects.has(projectId) && (account.Projects === undefined || account.Projects.includes(projectId)),
    certificates: (region, projectId) => byLocation.get(locationKey(region, projectId)) ?? [],
    add,
    remove: (sslId) => {
      for (const list of byLocation.values()) {
        const index = list.findIndex((certificate) => certificate.SSLId === sslId);
        if (index >= 0) {
          list.splice(index, 1);
          return true;
        }
      }
      return false;
    },
  };
}

function locationKey(region: string, projectId: string): string {
  return `${region}\u0000${projectId}`;
}
