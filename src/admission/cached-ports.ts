/**
 * Caches in front of the ports the decision waits on. A verdict read from the store answers
 * for `freshMs` (1 s by default) unless the store announces a change first, which drops it at
 * once; this bounds how long a revoked image can still be admitted (ADR 0009). When the store
 * throws or misses its budget, the last verdict read answers, flagged stale. Digests of tags are
 * reused for a short TTL, which bounds how long a moved tag keeps its old verdict.
 */
import { formatReference, type ImageReference } from '../core/image/reference/parse.js';
import { PortcullisError } from '../core/errors.js';
import type { DigestResolver, PortContext, StoredVerdict, VerdictSource } from './ports.js';
import { FreshCache } from './fresh-cache.js';
import { TimedCache } from './ttl-cache.js';

export interface VerdictAnswer {
  verdict: StoredVerdict | undefined;
  stale: boolean;
}

/** Rejects with TIMEOUT after `ms`, or when `signal` aborts, whichever comes first. */
export function withBudget<T>(
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (): void => reject(new PortcullisError('TIMEOUT', `${what} did not answer within ${ms} ms`));
    if (signal.aborted) return fail();
    const timer = setTimeout(fail, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      fail();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export interface VerdictCacheOptions {
  maxEntries: number;
  /** How long a verdict answers without reading the store again: the revocation bound. */
  freshMs: number;
  maxStaleMs: number;
  storeTimeoutMs: number;
}

/** Background renewals belong to no request: nothing aborts them but their own failure. */
export const NEVER_ABORTED = new AbortController().signal;

export class VerdictCache {
  private readonly cache: FreshCache<StoredVerdict | undefined>;

  constructor(
    private readonly source: VerdictSource,
    private readonly options: VerdictCacheOptions,
  ) {
    this.cache = new FreshCache(options.freshMs, options.maxEntries);
  }

  /** A verdict, policy or exception changed: the next lookups read the store. */
  invalidate(): void {
    this.cache.invalidate();
  }

  async lookup(
    digest: string,
    bundleId: string | undefined,
    ctx: PortContext,
    nowMs: number,
  ): Promise<VerdictAnswer> {
    const key = `${ctx.account ?? ''}\u0000${bundleId ?? ''}\u0000${digest}`;
    const fresh = this.cache.fresh(key, nowMs, () =>
      this.source.lookup(digest, bundleId, { account: ctx.account, signal: NEVER_ABORTED }),
    );
    if (fresh) return { verdict: fresh.value, stale: false };
    try {
      const lookup = this.cache.read(key, nowMs, () => this.source.lookup(digest, bundleId, ctx));
      const verdict = await withBudget(lookup, this.options.storeTimeoutMs, ctx.signal, 'the verdict store');
      return { verdict, stale: false };
    } catch (err) {
      this.cache.abandon(key);
      const cached = this.cache.remembered(key, nowMs, this.options.maxStaleMs)?.value;
      // Only a remembered analysed verdict is worth answering with; "unknown" must be asked again.
      if (cached !== undefined) return { verdict: cached, stale: true };
      throw err;
    }
  }
}

export class CachingDigestResolver implements DigestResolver {
  private readonly cache: TimedCache<string>;

  constructor(
    private readonly inner: DigestResolver,
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.cache = new TimedCache(maxEntries);
  }

  async resolve(ref: ImageReference, ctx: PortContext): Promise<string> {
    if (ref.digest !== undefined) return ref.digest;
    const key = `${ctx.account ?? ''}\u0000${formatReference(ref)}`;
    const cached = this.cache.get(key, this.clock(), this.ttlMs);
    if (cached !== undefined) return cached;
    const digest = await this.inner.resolve(ref, ctx);
    this.cache.set(key, digest, this.clock());
    return digest;
  }
}
