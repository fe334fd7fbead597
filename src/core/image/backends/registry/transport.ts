/**
 * HTTP for the registry client: undici agents with our TLS rules, per-request timeouts,
 * and retries with exponential backoff + jitter on 429 (honouring Retry-After), 5xx and
 * connection resets. Everything streams; nothing here reads a body it does not own.
 */
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { PortcullisError } from '../../../errors.js';
import type { RegistryOptions } from '../../options.js';
import { startWaitNotice } from './wait-notice.js';

export type Headers = Record<string, string | string[] | undefined>;

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** A stream is sent once: a request carrying one is never retried (it cannot be replayed). */
  body?: string | Buffer | Readable;
  /** For messages: "manifest of registry:…", "token for …". */
  what: string;
  /** Cancels the request, its body and any wait between retries (a sibling blob failed). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  statusCode: number;
  headers: Headers;
  /** undici's body: a Readable with dump() to drain it without reading. */
  body: Dispatcher.ResponseData['body'];
  url: URL;
}

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 10_000;
/** A registry asking us to wait longer than this is treated as refusing us. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Connection-level failures worth another attempt; refused/unknown hosts fail at once. */
const RETRYABLE_NETWORK = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ECONNABORTED']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function errorCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (code) return code;
    current = current.cause;
  }
  return '';
}

/** A connection reset or dropped socket: worth another attempt. */
export function isRetryableNetworkError(err: unknown): boolean {
  return RETRYABLE_NETWORK.has(errorCode(err));
}

/** A body cut off mid-way (reset, dropped, stalled): worth resuming where it stopped. */
export function isResumableBodyError(err: unknown): boolean {
  return isRetryableNetworkError(err) || errorCode(err) === 'UND_ERR_BODY_TIMEOUT';
}

function isTlsError(code: string, err: unknown): boolean {
  return (
    /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|EPROTO/.test(code) ||
    (err instanceof Error && /certificate|ssl|tls/i.test(err.message))
  );
}

export function isInsecureHost(options: RegistryOptions, host: string): boolean {
  return options.insecureHosts.includes('*') || options.insecureHosts.includes(host);
}

/** What each timeout means, said plainly: the user must know which phase stalled. */
function timeoutMessage(code: string, target: string, timeoutMs: number | undefined): string {
  const within = timeoutMs === undefined ? 'in time' : `within ${timeoutMs / 1000} s`;
  if (code === 'UND_ERR_HEADERS_TIMEOUT')
    return `${target} accepted the connection but sent no response ${within}`;
  if (code === 'UND_ERR_BODY_TIMEOUT')
    return `${target} stopped sending the response body, no data ${within}`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return `could not connect to ${target} ${within}`;
  return `${target} did not answer ${within}`;
}

/** Maps a network failure to a coded error naming the target and the request. */
export function networkError(
  err: unknown,
  req: Pick<HttpRequest, 'url' | 'what'>,
  /** The configured timeout, named in timeout messages when known. */
  timeoutMs?: number,
): PortcullisError {
  if (err instanceof PortcullisError) return err;
  const code = errorCode(err);
  const target = `${req.url.protocol}//${req.url.host}`;
  const details = { url: req.url.href, errno: code };
  const reason = err instanceof Error ? err.message : String(err);
  if (TIMEOUTS.has(code)) {
    return new PortcullisError(
      'TIMEOUT',
      `${req.what}: ${timeoutMessage(code, target, timeoutMs)} (${code}); raise --timeout if it is only slow`,
      { cause: err, details: { ...details, host: req.url.host, request: req.what } },
    );
  }
  if (UNREACHABLE.has(code)) {
    return new PortcullisError('REGISTRY_UNREACHABLE', `${req.what}: cannot connect to ${target} (${code})`, {
      cause: err,
      details,
    });
  }
  if (req.url.protocol === 'https:' && isTlsError(code, err)) {
    return new PortcullisError(
      'REGISTRY_TLS',
      `${req.what}: TLS with ${target} failed: ${reason}${code ? ` (${code})` : ''}; trust its CA with --ca-file, or use --insecure for a registry you trust without TLS verification`,
      { cause: err, details },
    );
  }
  return new PortcullisError(
    'REGISTRY_UNREACHABLE',
    `${req.what}: connection to ${target} failed: ${reason}`,
    {
      cause: err,
      details,
    },
  );
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function retryAfterMs(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  // An HTTP-date always names a month; anything else ("-1", "soon") is unreadable.
  if (!/[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  // "Equal jitter": at least half the ceiling, so retries never hammer, never in lock-step.
  return ceiling / 2 + random() * (ceiling / 2);
}

/** The connection pools (one verifying TLS, one not) behind every Transport of a client pool. */
export class TransportAgents {
  readonly verified: Agent;
  readonly unverified: Agent;

  constructor(options: Pick<RegistryOptions, 'timeoutMs' | 'extraCaPem'>) {
    const timeouts = {
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: options.timeoutMs,
    };
    this.verified = new Agent({
      ...timeouts,
      // Extra CAs are added to Node's roots, not instead of them, so public registries keep working.
      connect: { ca: [...rootCertificates, ...options.extraCaPem], rejectUnauthorized: true },
    });
    this.unverified = new Agent({ ...timeouts, connect: { rejectUnauthorized: false } });
  }

  async close(): Promise<void> {
    await Promise.all([this.verified.close(), this.unverified.close()]);
  }
}

export class Transport {
  /**
   * `options` decides retries and which hosts skip TLS verification; `agents` may be shared
   * with other transports (a client pool), and are then closed by their owner.
   */
  constructor(
    private readonly options: RegistryOptions,
    private readonly agents: TransportAgents = new TransportAgents(options),
  ) {}

  /** Sends once per attempt; retries 429/5xx/resets up to `options.retries` times. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const dispatcher = isInsecureHost(this.options, req.url.host)
      ? this.agents.unverified
      : this.agents.verified;
    const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
    for (let attempt = 0; ; attempt++) {
      const last = !replayable || attempt >= this.options.retries;
      let res;
      const notice = startWaitNotice(this.options, req);
      try {
        res = await request(req.url, {
          method: req.method,
          headers: req.headers ?? {},
          body: req.body ?? null,
          dispatcher,
          ...(req.signal ? { signal: req.signal } : {}),
        });
      } catch (err) {
        // A cancelled request reports why it was cancelled, not a network failure.
        if (req.signal?.aborted) throw req.signal.reason;
        if (!last && isRetryableNetworkError(err)) {
          await sleep(backoffMs(attempt), undefined, { signal: req.signal });
          continue;
        }
        throw networkError(err, req, this.options.timeoutMs);
      } finally {
        notice.stop();
      }
      const status = res.statusCode;
      const retryable = status === 429 || (status >= 500 && status !== 501 && status !== 505);
      if (retryable && !last) {
        // 503 may carry Retry-After too (RFC 9110 §15.6.4); honour it wherever it is sent.
        const wait = retryAfterMs(res.headers['retry-after']);
        if (wait === undefined || wait <= MAX_RETRY_AFTER_MS) {
          await res.body.dump().catch(() => undefined);
          await sleep(wait ?? backoffMs(attempt), undefined, { signal: req.signal });
          continue;
        }
      }
      return { statusCode: status, headers: res.headers, body: res.body, url: req.url };
    }
  }

  /** Closes the agents (only for a transport that owns them). */
  async close(): Promise<void> {
    await this.agents.close();
  }
}
