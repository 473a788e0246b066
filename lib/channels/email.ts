/**
 * The email channel: the digest as one HTML and text email through SES v2. The sink and the SDK (emailSink.ts)
 * load on first use, not with the configuration.
 */
import { channelModule } from './module';

export interface EmailChannelConfig {
  /** The sender: an address (or `Name <address>`) whose identity is verified in SES. */
  from: string;
  to: string[];
}

/** `a@example.com`: one address, no spaces, commas or angle brackets. Deliberately loose: SES has the last word. */
const ADDRESS = /^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/;
/** `certwatch <a@example.com>`: a display name, then the address. */
const NAMED_ADDRESS = /^[^<>@,]*<([^<>]+)>$/;

export const email = channelModule({
  name: 'email',
  settings: [
    {
      key: 'CERTWATCH_EMAIL_FROM',
      description: 'the HTML email digest through SES: the sender, an address verified in SES',
    },
    { key: 'CERTWATCH_EMAIL_TO', description: "the email digest's recipients, comma-separated" },
  ],
  enabledBy: 'CERTWATCH_EMAIL_FROM and CERTWATCH_EMAIL_TO',
  read(get, problems): EmailChannelConfig | null {
    const from = get('CERTWATCH_EMAIL_FROM');
    const toText = get('CERTWATCH_EMAIL_TO');
    if (from === undefined && toText === undefined) return null;
    if (from === undefined) {
      problems.push(
        'CERTWATCH_EMAIL_TO is set but CERTWATCH_EMAIL_FROM is not: set the sender, an address (or domain) ' +
          'verified in SES, e.g. certwatch@example.com',
      );
    } else if (!ADDRESS.test(NAMED_ADDRESS.exec(from)?.[1] ?? from)) {
      problems.push(
        `CERTWATCH_EMAIL_FROM "${from}" is not an email address: give one such as certwatch@example.com or ` +
          '"certwatch <certwatch@example.com>"',
      );
    }
    if (toText === undefined) {
      problems.push(
        'CERTWATCH_EMAIL_FROM is set but CERTWATCH_EMAIL_TO is not: list the recipients, comma-separated',
      );
      return null;
    }
    const to = toText.split(',').map((item) => item.trim());
    const bad = to.filter((address) => !ADDRESS.test(address));
    if (bad.length > 0) {
      const shown = bad.map((item) => (item === '' ? '(empty)' : `"${item}"`)).join(', ');
      problems.push(
        `CERTWATCH_EMAIL_TO has entries that are not email addresses: ${shown}; give a comma-separated list such ` +
          'as ops@example.com,oncall@example.com',
      );
    }
    if (from === undefined || bad.length > 0) return null;
    return { from, to: [...new Set(to)] };
  },
  async build(settings, deps) {
    const { createSesEmailSink } = await import('./emailSink');
    return createSesEmailSink({ ...settings, clientConfig: deps.awsClientConfig ?? {} });
  },
});
