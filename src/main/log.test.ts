import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REDACTED, serviceLogger } from './log.js';

/** The lines a logger wrote, parsed. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, log: serviceLogger('debug', stream) };
}

describe('the service logger', () => {
  it('censors webhook passwords, basic auth pairs and authorization headers wherever they are logged', () => {
    const { lines, log } = capture();
    log.info({ webhook_pass: 'pw-top' }, 'top level');
    log.info(
      { body: { url: 'https://receiver.example/', webhook_user: 'anchore', webhook_pass: 'pw-body' } },
      'body',
    );
    log.warn({ endpoint: { basicAuth: { user: 'anchore', password: 'pw-endpoint' } } }, 'endpoint');
    log.debug({ req: { headers: { authorization: 'Basic YW5jaG9yZTpwdy1oZWFkZXI=' } } }, 'request');
    log.error({ request: { body: { password: 'pw-login', secret: 'whsec_abc' } } }, 'nested');
    const text = lines.join('');
    for (const leaked of [
      'pw-top',
      'pw-body',
      'pw-endpoint',
      'YW5jaG9yZTpwdy1oZWFkZXI',
      'pw-login',
      'whsec_abc',
    ])
      expect(text).not.toContain(leaked);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[1]).toMatchObject({
      body: { url: 'https://receiver.example/', webhook_user: 'anchore', webhook_pass: REDACTED },
    });
    expect(parsed[2]).toMatchObject({ endpoint: { basicAuth: REDACTED } });
    expect(parsed).toHaveLength(5);
  });
});
