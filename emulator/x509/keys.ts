/**
 * Keys for emulated certificates. Generating an RSA-2048 key takes 50–100 ms, so fleets and tests draw from a
 * small per-process pool, each key made on first use and then reused: thousands of certificates may share a
 * handful of keys, which nothing that reads expiry can tell.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export type KeyType = 'rsa' | 'ec';

export interface PooledKey {
  type: KeyType;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8, `-----BEGIN PRIVATE KEY-----`, the form UCloud accepts beside a certificate. */
  privateKeyPem: string;
}

const pool = new Map<string, PooledKey>();

/**
 * The process's key called `name` of the given type: RSA-2048 or ECDSA P-256. The same name always gives the
 * same key within a process; a new process makes new keys.
 */
export function pooledKey(type: KeyType, name: string): PooledKey {
  const id = `${type}:${name}`;
  let key = pool.get(id);
  if (!key) {
    const pair =
      type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    key = {
      type,
      ...pair,
      privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    pool.set(id, key);
  }
  return key;
}
