/**
 * Slack's request signing (v0): HMAC-SHA256 with the app's signing secret over
 * `v0:{X-Slack-Request-Timestamp}:{raw body}`, sent as `X-Slack-Signature: v0=<hex>`. A request
 * is refused when the timestamp is more than five minutes away from now (replays of old
 * requests), when the signature differs (compared in constant time), and when the very same
 * signature was already accepted (replays within the five minutes).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_MAX_SKEW_SECONDS = 300;

export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`, 'utf8').digest('hex')}`;
}

export type SlackVerdict = { ok: true } | { ok: false; reason: string };

export interface SlackRequestParts {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  /** Seconds since the epoch. */
  nowSeconds: number;
}

export function verifySlackSignature(parts: SlackRequestParts): SlackVerdict {
  const { timestamp, signature } = parts;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'missing or malformed timestamp' };
  if (Math.abs(parts.nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS)
    return { ok: false, reason: 'timestamp too far from now' };
  if (!signature || !/^v0=[0-9a-f]{64}$/.test(signature))
    return { ok: false, reason: 'missing or malformed signature' };
  const expected = Buffer.from(slackSignature(parts.signingSecret, timestamp, parts.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}

/** Signatures accepted in the last five minutes: the same request twice is a replay. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowSeconds = SLACK_MAX_SKEW_SECONDS * 2) {}

  /** True the first time a signature is seen within the window. */
  firstUse(signature: string, nowSeconds: number): boolean {
    for (const [key, at] of this.seen) {
      if (nowSeconds - at <= this.windowSeconds) break;
      this.seen.delete(key);
    }
    if (this.seen.has(signature)) return false;
    if (this.seen.size >= 100_000) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(signature, nowSeconds);
    return true;
  }
}
