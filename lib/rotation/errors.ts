import { CertwatchError } from '../errors';

/**
 * A certificate, key or PKCS#12 file given for upload could not be read. Messages name the file and say what to
 * do; they never carry key material or a passphrase (a `cause` from node:crypto or node-forge carries neither).
 */
export class RotationError extends CertwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RotationError';
  }
}
