/**
 * Slack's v0 request signing: the worked example of Slack's documentation ("Verifying requests
 * from Slack"), vectors computed by an independent implementation (openssl dgst -hmac), and
 * every refusal: stale or future timestamps, tampered bodies, a wrong secret, malformed
 * headers, and the same request twice.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ReplayGuard, slackSignature, verifySlackSignature } from './slack-signature.js';

// Slack's documented example request.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

function opensslSignature(secret: string, timestamp: string, body: string): string {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], {
    input: `v0:${timestamp}:${body}`,
    encoding: 'utf8',
  });
  return `v0=${/([0-9a-f]{64})\s*$/.exec(out)?.[1] ?? ''}`;
}

const verify = (over: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    signingSecret: DOC_SECRET,
    timestamp: DOC_TIMESTAMP,
    signature: DOC_SIGNATURE,
    rawBody: DOC_BODY,
    nowSeconds: Number(DOC_TIMESTAMP) + 10,
    ...over,
  });

describe('Slack request signatures (v0)', () => {
  it("computes the signature of Slack's documented example", () => {
    expect(slackSignature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY)).toBe(DOC_SIGNATURE);
    expect(verify()).toEqual({ ok: true });
  });

  it.each([
    ['a plain command', 's3cr3t-signing-key', '1700000000', 'team_id=T1&text=vuln+CVE-2024-1234'],
    ['non-ASCII text', 'another-secret-0123', '1800000000', 'text=package+caf%C3%A9+%E2%9C%93&team_id=T2'],
    ['an empty body', 'abcdefgh', '1', ''],
  ])('agrees with openssl on %s', (_name, secret, timestamp, body) => {
    const expected = opensslSignature(secret, timestamp, body);
    expect(slackSignature(secret, timestamp, body)).toBe(expected);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestamp,
        signature: expected,
        rawBody: body,
        nowSeconds: Number(timestamp),
      }),
    ).toEqual({ ok: true });
  });

  it.each([
    [
      'a timestamp 5 min 1 s old (replayed later)',
      { nowSeconds: Number(DOC_TIMESTAMP) + 301 },
      'timestamp too far from now',
    ],
    [
      'a timestamp from the future',
      { nowSeconds: Number(DOC_TIMESTAMP) - 301 },
      'timestamp too far from now',
    ],
    ['a tampered body', { rawBody: DOC_BODY.replace('text=', 'text=scan+evil') }, 'signature mismatch'],
    ['a tampered timestamp', { timestamp: String(Number(DOC_TIMESTAMP) + 1) }, 'signature mismatch'],
    ['another secret', { signingSecret: DOC_SECRET.replace('8', '9') }, 'signature mismatch'],
    ['no signature', { signature: undefined }, 'missing or malformed signature'],
    ['a v1 signature', { signature: DOC_SIGNATURE.replace('v0=', 'v1=') }, 'missing or malformed signature'],
    ['an upper-case signature', { signature: DOC_SIGNATURE.toUpperCase() }, 'missing or malformed signature'],
    ['no timestamp', { timestamp: undefined }, 'missing or malformed timestamp'],
    ['a non-numeric timestamp', { timestamp: '1531420618.5' }, 'missing or malformed timestamp'],
  ] as const)('refuses %s', (_name, over, reason) => {
    expect(verify(over)).toEqual({ ok: false, reason });
  });

  it('accepts the edge of the five-minute window', () => {
    expect(verify({ nowSeconds: Number(DOC_TIMESTAMP) + 300 })).toEqual({ ok: true });
  });

  it('refuses the same signature twice within the window, and forgets it after', () => {
    const guard = new ReplayGuard(600);
    expect(guard.firstUse(DOC_SIGNATURE, 1000)).toBe(true);
    expect(guard.firstUse(DOC_SIGNATURE, 1200)).toBe(false);
    expect(guard.firstUse('v0=other', 1300)).toBe(true);
    expect(guard.firstUse(DOC_SIGNATURE, 1700)).toBe(true);
  });
});
