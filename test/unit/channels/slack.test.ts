import { describe, expect, it } from 'vitest';
import {
  SLACK_DIALECT,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_HEADER_CHARS,
  SLACK_MAX_MESSAGE_CHARS,
  SLACK_MAX_MESSAGES,
  SLACK_MAX_SECTION_CHARS,
  SLACK_MIN_INTERVAL_MS,
  sections,
  slackMessages,
  slackPlatform,
  slackVerdict,
} from '../../../lib/channels/slack';
import type { WebhookReply } from '../../../lib/channels/webhook';
import { ConfigError } from '../../../lib/errors';
import type { CertificateRecord } from '../../../lib/model';
import { HOSTILE_TEXT } from '../../helpers/hostileReport';
import { cert, digestOf, failure } from '../../helpers/reports';

const SECRET_PATH = 'T0CERTW8/B0CERTW9/k8Yd2mQw4PzV7nLx3cRs6TbH';
const URL_ = `https://hooks.slack.com/services/${SECRET_PATH}`;
const NOW_MS = Date.parse('2026-11-23T05:00:00Z');

function due(id: string, name: string, status: 'expired' | 'critical' | 'warning', daysLeft: number) {
  return cert({
    id,
    name,
    status,
    daysLeft,
    domains: [`${id}.example.com`],
    boundTo: [`ulb-${id}/vserver-443`],
  });
}

function manyCertificates(count: number): CertificateRecord[] {
  return Array.from({ length: count }, (_, i) =>
    due(
      `ssl-${String(i).padStart(4, '0')}`,
      `service-${i}`,
      i % 2 === 0 ? 'critical' : 'warning',
      i % 2 === 0 ? 5 : 20,
    ),
  );
}

/** Slack's three entities decoded: what a person sees. */
function shown(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

describe('slackPlatform requests', () => {
  const message = () => slackMessages(digestOf([due('ssl-1', 'shop', 'expired', -3)])!)[0]!;

  it('posts the Block Kit message as JSON to the webhook URL', () => {
    const platform = slackPlatform({ url: URL_ });
    const request = platform.request(message(), NOW_MS);
    expect(request.url).toBe(URL_);
    expect(JSON.parse(request.body)).toEqual(message());
  });

  it('previews with everything after /services/ hidden', () => {
    const preview = slackPlatform({ url: URL_ }).request(message(), null);
    expect(preview.url).toBe('https://hooks.slack.com/services/<secret>');
    expect(`${preview.url}${preview.body}`).not.toContain('k8Yd2mQw4PzV7nLx3cRs6TbH');
  });

  it('names itself and paces one message a second', () => {
    const platform = slackPlatform({ url: URL_ });
    expect([platform.name, platform.title, platform.host, platform.hint]).toEqual([
      'slack',
      'Slack',
      'hooks.slack.com',
      'check CERTWATCH_SLACK_URL',
    ]);
    expect(platform.minIntervalMs).toBe(SLACK_MIN_INTERVAL_MS);
    expect(SLACK_MIN_INTERVAL_MS).toBeGreaterThanOrEqual(1000);
  });

  it('refuses a value that is not a URL without quoting it', () => {
    const attempt = () => slackPlatform({ url: `hooks.slack.com/services/${SECRET_PATH}` });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/CERTWATCH_SLACK_URL/);
    expect(attempt).not.toThrow(/k8Yd2mQw4/);
  });
});

describe('slackMessages', () => {
  it('is a header and mrkdwn sections, with the subject as the notification text', () => {
    const digest = digestOf([due('ssl-1', 'shop', 'expired', -3), due('ssl-2', 'api', 'critical', 5)])!;
    const [message, ...rest] = slackMessages(digest);
    expect(rest).toEqual([]);
    expect(message!.text).toBe(digest.subject);
    expect(message!.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: digest.subject, emoji: true },
    });
    const text = message!.blocks
      .slice(1)
      .map((block) => {
        expect(block).toMatchObject({ type: 'section', text: { type: 'mrkdwn', verbatim: true } });
        return block.type === 'section' ? block.text.text : '';
      })
      .join('\n');
    expect(text).toContain('🔴 EXPIRED *shop (ssl-1)*');
    expect(text.indexOf('(ssl-1)')).toBeLessThan(text.indexOf('(ssl-2)'));
  });

  it('splits a long digest into ordered parts within Block Kit limits, and says what did not fit', () => {
    const digest = digestOf(manyCertificates(600))!;
    const messages = slackMessages(digest);
    expect(messages).toHaveLength(SLACK_MAX_MESSAGES);
    const ids: string[] = [];
    messages.forEach((message, index) => {
      expect(message.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
      const chars = message.blocks.reduce((sum, block) => sum + block.text.text.length, 0);
      expect(chars).toBeLessThanOrEqual(SLACK_MAX_MESSAGE_CHARS);
      const header = message.blocks[0]!;
      expect(header.type).toBe('header');
      expect(header.text.text).toBe(`${digest.subject} (part ${index + 1} of ${messages.length})`);
      expect(header.text.text.length).toBeLessThanOrEqual(SLACK_MAX_HEADER_CHARS);
      for (const block of message.blocks.slice(1)) {
        expect(block.text.text.length).toBeGreaterThan(0);
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_MAX_SECTION_CHARS);
        ids.push(...[...block.text.text.matchAll(/\(ssl-(\d{4})\)/g)].map((m) => m[1]!));
      }
    });
    const inBody = [...digest.body.matchAll(/\(ssl-(\d{4})\)/g)].map((m) => m[1]!);
    expect(ids.length).toBeLessThan(600);
    expect(ids).toEqual(inBody.slice(0, ids.length));
    const last = messages.at(-1)!.blocks.at(-1)!.text.text;
    expect(
      last.endsWith(
        `*… ${600 - ids.length} more entries are not shown here (a chat digest is at most 10 messages: more ` +
          'would flood the channel). The email and SNS digests, or "certwatch audit", have them all.*',
      ),
    ).toBe(true);
  });

  it('counts the entries it leaves out, not the headings among them', () => {
    // The "Could not check" section comes last: its heading is left out with its one entry.
    const digest = digestOf(manyCertificates(600), [failure()])!;
    const messages = slackMessages(digest);
    expect(messages).toHaveLength(SLACK_MAX_MESSAGES);
    const text = messages.flatMap((m) => m.blocks.map((b) => b.text.text)).join('\n');
    expect(text).not.toContain('Could not check (1 source)');
    const entriesShown = [...text.matchAll(/\(ssl-\d{4}\)/g)].length;
    expect(messages.at(-1)!.blocks.at(-1)!.text.text).toContain(
      `… ${600 + 1 - entriesShown} more entries are not shown here`,
    );
  });

  it('keeps consecutive list entries on consecutive lines and sets other blocks apart', () => {
    expect(sections(['*Still open (2)*', '• a', '• b', '*x*'])).toEqual([
      '*Still open (2)*\n\n• a\n• b\n\n*x*',
    ]);
    const long = 'y'.repeat(SLACK_MAX_SECTION_CHARS - 3);
    expect(sections([long, '• a', '• b'])).toEqual([long, '• a\n• b']);
  });
});

describe('SLACK_DIALECT', () => {
  it('makes mentions and links inert and shows the text as written', () => {
    const hostile = [
      '<!channel>',
      '<!here|here>',
      '<@U123>',
      '<#C123>',
      '<http://e|x>',
      '&lt;!channel&gt;',
      ...HOSTILE_TEXT,
    ];
    for (const text of hostile) {
      const escaped = SLACK_DIALECT.escape(text);
      expect(escaped).not.toMatch(/[<>]/);
      expect(escaped.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      expect(shown(escaped)).toBe(text.replace(/\r\n|[\r\n]/g, ' '));
    }
  });

  it('keeps hostile certificate names inert through a whole message', () => {
    const names = ['<!channel> renew now', '<@U024BE7LH>', '<http://evil.example|click>', ...HOSTILE_TEXT];
    const digest = digestOf(names.map((name, i) => due(`ssl-${i}`, name, 'critical', 3)))!;
    for (const message of slackMessages(digest)) {
      expect(message.text).not.toMatch(/[<>]/);
      for (const block of message.blocks) {
        if (block.type === 'section') expect(block.text.text).not.toMatch(/[<>]/);
      }
    }
    const all = slackMessages(digest)
      .flatMap((m) => m.blocks.map((b) => b.text.text))
      .join('\n');
    expect(shown(all)).toContain('<!channel> renew now');
  });
});

describe('slackVerdict', () => {
  const reply = (status: number, body: string, retryAfter: string | null = null): WebhookReply => ({
    status,
    body,
    nowMs: NOW_MS,
    header: (name) => (name.toLowerCase() === 'retry-after' ? retryAfter : null),
  });

  it('takes 200 ok', () => {
    expect(slackVerdict(reply(200, 'ok'))).toEqual({ ok: true });
  });

  it("does not retry Slack's refusals, and says what each means", () => {
    const cases: [number, string, RegExp][] = [
      [400, 'invalid_payload', /certwatch bug/],
      [403, 'invalid_token', /token in the URL/],
      [403, 'action_prohibited', /admin/],
      [403, 'posting_to_general_channel_denied', /#general/],
      [404, 'no_service', /removed or disabled/],
      [404, 'channel_not_found', /no longer exists/],
      [410, 'channel_is_archived', /archived/],
      [400, 'too_many_attachments', /certwatch bug/],
    ];
    for (const [status, body, advice] of cases) {
      const verdict = slackVerdict(reply(status, body));
      expect(verdict).toMatchObject({ ok: false, retryable: false });
      expect(verdict.ok || verdict.reason).toContain(`HTTP ${status}, "${body}"`);
      expect(verdict.ok || verdict.reason).toMatch(advice);
    }
    expect(slackVerdict(reply(200, 'something else'))).toMatchObject({ ok: false, retryable: false });
  });

  it('retries 429 after its Retry-After, and 5xx', () => {
    expect(slackVerdict(reply(429, '{"ok":false}', '7'))).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 7000,
    });
    expect(slackVerdict(reply(429, '', new Date(NOW_MS + 2000).toUTCString()))).toMatchObject({
      retryAfterMs: 2000,
    });
    expect(slackVerdict(reply(500, 'rollup_error'))).toMatchObject({ ok: false, retryable: true });
    expect(slackVerdict(reply(503, '<html>'))).toMatchObject({ ok: false, retryable: true });
  });
});
