/**
 * Sessions and CSRF for the UI. The cookie holds a random id (HttpOnly, SameSite=Lax, Secure and
 * `__Host-` under TLS); the session row holds the user and a CSRF token that every state-changing
 * form must send back (synchronizer token). A cross-origin Origin header is refused as well.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UiSession, UiSessionRepository } from '../store/repositories/ui-sessions.js';
import type { Viewer } from './layout.js';

export interface SessionSettings {
  secure: boolean;
  ttlMs: number;
}

export const DEFAULT_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export const sessionCookieName = (secure: boolean) => (secure ? '__Host-pc_session' : 'pc_session');
export const loginCookieName = (secure: boolean) => (secure ? '__Host-pc_login' : 'pc_login');

export function cookieOptions(settings: SessionSettings, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    secure: settings.secure,
    sameSite: 'lax' as const,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
  };
}

export function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A request from another origin (the browser says so in Origin) never changes state. */
export function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

export interface LiveSession {
  id: string;
  session: UiSession;
  viewer: Viewer;
}

/** The live session of the request, with its user still enabled; undefined otherwise. */
export async function currentSession(
  request: FastifyRequest,
  sessions: UiSessionRepository,
  settings: SessionSettings,
): Promise<LiveSession | undefined> {
  const id = request.cookies[sessionCookieName(settings.secure)];
  if (!id) return undefined;
  const session = await sessions.get(id);
  if (!session || session.accountState !== 'enabled') return undefined;
  return {
    id,
    session,
    viewer: {
      username: session.username,
      accountName: session.accountName,
      admin: session.accountType === 'admin',
      csrfToken: session.csrfToken,
    },
  };
}

export function toLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
  return reply.redirect(`/login${next}`, 303);
}

/** Only local paths are followed after login (no open redirect). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.startsWith('/login') ? next : '/';
}
