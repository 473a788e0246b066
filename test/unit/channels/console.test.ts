import { describe, expect, it } from 'vitest';
import { ConsoleSink, type TextStream } from '../../../lib/channels/console';
import { AlertDeliveryError } from '../../../lib/errors';

describe('ConsoleSink', () => {
  it('writes subject, a rule and the body to the stream it was given', async () => {
    let written = '';
    const stream: TextStream = {
      write(chunk, callback) {
        written += chunk;
        callback();
        return true;
      },
    };
    await new ConsoleSink(stream).publishDigest({
      subject: 'certwatch: 1 certificate needs action',
      body: 'b\n',
    });
    expect(written).toBe(`Subject: certwatch: 1 certificate needs action\n${'-'.repeat(72)}\nb\n`);
  });

  it('previews exactly what it prints', async () => {
    let written = '';
    const stream: TextStream = {
      write(chunk, callback) {
        written += chunk;
        callback();
        return true;
      },
    };
    const sink = new ConsoleSink(stream);
    const digest = { subject: 's', body: 'b' };
    const alerts = [{ id: 'a0', message: '{"n":1}', attributes: {} }];
    await sink.publishDigest(digest);
    await sink.publishAlerts(alerts);
    expect(sink.preview(digest, alerts)).toEqual([{ to: 'this console', body: written }]);
    expect(sink.preview(null, [])).toEqual([]);
  });

  it('turns a write error into AlertDeliveryError', async () => {
    const stream: TextStream = {
      write(_chunk, callback) {
        callback(new Error('EPIPE'));
        return false;
      },
    };
    const error = await new ConsoleSink(stream).publishDigest({ subject: 's', body: 'b' }).catch((e) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect(error.message).toContain('EPIPE');
  });
});
