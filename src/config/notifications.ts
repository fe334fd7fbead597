/**
 * The `serve` options of notification delivery, declared once (flag > environment > config
 * file > default):
 * - `--webhook-allow-cidrs` / PORTCULLIS_WEBHOOK_ALLOW_CIDRS / `webhook_allow_cidrs`: private or
 *   loopback networks webhook receivers may live on (cluster networks). Only the listed CIDRs
 *   are opened; link-local and metadata addresses (169.254.0.0/16, fe80::/10) stay refused
 *   whatever is listed, so even `0.0.0.0/0` never reaches 169.254.169.254.
 * - `--public-url` / PORTCULLIS_PUBLIC_URL / `public_url`: the URL users reach the service at;
 *   a webhook aimed at it (or at the listen address) is refused, and Slack messages link to it.
 * - `--notification-deadline` / PORTCULLIS_NOTIFICATION_DEADLINE / `notification_deadline`: how
 *   long a notification is retried before it is given up (default 24h).
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { PortcullisError } from '../core/errors.js';
import type { Env } from './index.js';

export interface NotificationsFlags {
  /** Comma-separated or repeated. */
  webhookAllowCidrs?: string[];
  publicUrl?: string;
  notificationDeadline?: string;
}

export const notificationsFileSchema = {
  webhook_allow_cidrs: z.array(z.string()).max(256),
  public_url: z.string().url(),
  notification_deadline: z.string(),
};

export interface NotificationsConfig {
  /** CIDRs of private/loopback networks webhooks may target (default none). */
  webhookAllowCidrs: readonly string[];
  /** The service's public base URL (no `/v1`); absent = only the listen address is known. */
  publicUrl?: string;
  /** How long each notification is retried (default 24 h). */
  deadlineMs: number;
}

interface FileSection {
  webhook_allow_cidrs?: string[] | undefined;
  public_url?: string | undefined;
  notification_deadline?: string | undefined;
}

export const DEFAULT_NOTIFICATION_DEADLINE_MS = 24 * 3600_000;

const UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `90m`, `30s`, `2d`; at least one second, at most 30 days. */
export function parseDeadline(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([smhd])$/.exec(text.trim());
  const ms = match ? Math.round(Number(match[1]) * UNITS_MS[match[2]!]!) : NaN;
  if (!Number.isFinite(ms) || ms < 1_000 || ms > 30 * 86_400_000)
    throw new PortcullisError(
      'CONFIG_INVALID',
      `--notification-deadline must be a duration from 1s to 30d such as 24h or 90m, got "${text}"`,
    );
  return ms;
}

export function parseCidr(text: string): string {
  const [net = '', prefix = '', extra] = text.trim().split('/');
  const version = isIP(net);
  const bits = Number(prefix);
  if (!version || extra !== undefined || !/^\d+$/.test(prefix) || bits > (version === 4 ? 32 : 128))
    throw new PortcullisError(
      'CONFIG_INVALID',
      `--webhook-allow-cidrs takes CIDRs such as 10.0.0.0/8 or fd00::/8, got "${text}"`,
    );
  return `${net}/${bits}`;
}

function parsePublicUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PortcullisError('CONFIG_INVALID', `--public-url must be an http(s) URL, got "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PortcullisError('CONFIG_INVALID', `--public-url must be an http(s) URL, got "${text}"`);
  return `${url.origin}${url.pathname.replace(/\/(v1\/?)?$/, '')}`;
}

export function resolveNotifications(
  flags: NotificationsFlags,
  env: Env,
  file: FileSection | undefined,
): NotificationsConfig {
  const cidrs = flags.webhookAllowCidrs?.length
    ? flags.webhookAllowCidrs.flatMap((c) => c.split(','))
    : env.PORTCULLIS_WEBHOOK_ALLOW_CIDRS !== undefined
      ? env.PORTCULLIS_WEBHOOK_ALLOW_CIDRS.split(',')
      : (file?.webhook_allow_cidrs ?? []);
  const publicUrl = flags.publicUrl ?? env.PORTCULLIS_PUBLIC_URL ?? file?.public_url;
  const deadline =
    flags.notificationDeadline ?? env.PORTCULLIS_NOTIFICATION_DEADLINE ?? file?.notification_deadline;
  return {
    webhookAllowCidrs: Object.freeze(cidrs.filter((c) => c.trim() !== '').map(parseCidr)),
    ...(publicUrl ? { publicUrl: parsePublicUrl(publicUrl) } : {}),
    deadlineMs: deadline === undefined ? DEFAULT_NOTIFICATION_DEADLINE_MS : parseDeadline(deadline),
  };
}
