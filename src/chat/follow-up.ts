/**
 * Answers that come after the reply: posted as JSON to the `response_url` the chat tool gave,
 * once the slow work ends. Every URL passes the SSRF guard first (no metadata endpoints, no
 * private networks unless allow-listed, never the service itself). Pending posts are tracked
 * so closing the service aborts and waits for them.
 */
import { describeError, isPortcullisError } from '../core/errors.js';
import type { UrlGuard } from '../notifications/ssrf.js';

export interface FollowUpOptions {
  guard: UrlGuard;
  /** Per post (default 10 s). */
  postTimeoutMs?: number;
  /** Told about a post that failed; follow-ups are best effort. */
  onError?: (err: unknown, url: string) => void;
}

export class FollowUps {
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: FollowUpOptions) {}

  /** Aborted when the service closes: long waits (a scan) stop with it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Refuses a URL the guard refuses, before anything is queued. */
  async check(url: string): Promise<void> {
    await this.options.guard.check(url);
  }

  async post(url: string, body: unknown): Promise<void> {
    const target = await this.options.guard.check(url);
    const signal = AbortSignal.any([
      this.controller.signal,
      AbortSignal.timeout(this.options.postTimeoutMs ?? 10_000),
    ]);
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal,
    });
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the follow-up to ${target.origin} answered ${res.status}`);
  }

  /** Posts what `work` gives (or the error it throws, as text) when it settles. */
  deliver<T>(
    url: string,
    work: Promise<T>,
    render: (value: T) => unknown,
    renderError: (text: string) => unknown,
  ): void {
    const task = work
      .then(
        (value) => render(value),
        (err: unknown) => renderError(isPortcullisError(err) ? err.message : `failed: ${describeError(err)}`),
      )
      .then((body) => (this.controller.signal.aborted ? undefined : this.post(url, body)))
      .catch((err: unknown) => this.options.onError?.(err, url))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** How many answers are still to be posted. */
  get size(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled([...this.pending]);
  }
}
