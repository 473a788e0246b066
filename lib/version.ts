/** certwatch's version, sent in every User-Agent. A unit test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
export const USER_AGENT = `certwatch/${VERSION}`;
