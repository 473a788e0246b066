import { CertwatchError } from '../errors';

/**
 * Alert history could not be read or written: the table or file is missing, unreadable or not ours, or a request
 * to the store was malformed. The message names the store and says what to check.
 */
export class StateStoreError extends CertwatchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StateStoreError';
  }
}
