/**
 * HTTP basic auth and TLS verification of a webhook endpoint: Anchore Engine's `webhook_user`,
 * `webhook_pass` and `ssl_verify`, which receivers set up for Anchore check. What basic auth
 * can carry is RFC 7617's: no ':' in the user (it separates user and password), no control
 * characters in either; both are sent as UTF-8 (RFC 7617's `charset="UTF-8"`).
 */
import { z } from 'zod';
import type { Sink } from './endpoints.js';

export interface BasicAuth {
  user: string;
  password: string;
}

/** A control character (RFC 7617 forbids them) or half of a surrogate pair (no UTF-8 exists). */
function unsendable(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i += 1;
    } else if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}

// The messages never echo the value: it may be (part of) a password.
const CANNOT_CARRY =
  'must not contain control characters or unpaired surrogates (basic auth cannot carry them)';

export const webhookUserSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256)
  .refine(
    (user) => !user.includes(':'),
    "must not contain ':' (basic auth separates user and password with it)",
  )
  .refine((user) => !unsendable(user), CANNOT_CARRY);

export const webhookPassSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1024)
  .refine((password) => !unsendable(password), CANNOT_CARRY);

/**
 * What is wrong with an endpoint's credentials as a whole (each field is checked by its
 * schema), in the API's field names; undefined when nothing is.
 */
export function webhookAuthProblem(auth: {
  user?: string | undefined;
  password?: string | undefined;
  sink: Sink;
}): string | undefined {
  if (auth.user !== undefined && auth.password === undefined)
    return 'webhook_user needs webhook_pass: basic auth sends both';
  if (auth.user === undefined && auth.password !== undefined)
    return 'webhook_pass needs webhook_user: basic auth sends both';
  if (auth.user !== undefined && auth.sink !== 'webhook')
    return "webhook_user and webhook_pass apply to sink webhook only: Slack's incoming webhooks take no credentials";
  return undefined;
}

/** The `Authorization` header value. */
export function basicAuthorization(auth: BasicAuth): string {
  return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
}
