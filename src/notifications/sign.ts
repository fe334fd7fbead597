/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 over
 * `id.timestamp.body` with the endpoint's secret, sent as `webhook-signature: v1,<base64>`.
 * Secrets are `whsec_` + base64 of random bytes, so receivers' stock libraries verify them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { PortcullisError } from '../core/errors.js';

const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) {
    throw new PortcullisError('INVALID_ARGUMENT', `a webhook secret starts with ${SECRET_PREFIX}`);
  }
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for one delivery; `timestamp` in whole seconds since the epoch. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): SignedHeaders {
  const signature = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}
