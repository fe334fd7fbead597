import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIVERY_OPTIONS, retryDelay } from './deliver.js';

describe('the retry delay of a failed delivery', () => {
  const options = { retryBaseMs: 1_000, retryMaxMs: 60_000 };

  it('doubles per attempt up to the ceiling, jittered over the upper half', () => {
    for (const [attempt, ceiling] of [
      [1, 1_000],
      [2, 2_000],
      [3, 4_000],
      [6, 32_000],
      [7, 60_000],
      [30, 60_000],
    ] as const) {
      const delays = Array.from({ length: 200 }, () => retryDelay(attempt, options));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Math.max(...delays)).toBeLessThanOrEqual(ceiling);
      // Jitter: streams that failed together do not retry together.
      expect(new Set(delays).size).toBeGreaterThan(20);
    }
  });

  it('with the defaults, a receiver back after 10 minutes down is retried within 10 minutes more', () => {
    // The worst case: every delay at its ceiling; the first attempt after the outage is the
    // first one scheduled past 10 minutes of failures.
    const ceiling = (attempt: number) =>
      Math.min(
        DEFAULT_DELIVERY_OPTIONS.retryMaxMs,
        DEFAULT_DELIVERY_OPTIONS.retryBaseMs * 2 ** (attempt - 1),
      );
    let elapsed = 0;
    let attempt = 1;
    while (elapsed < 10 * 60_000) elapsed += ceiling(attempt++);
    expect(elapsed).toBeLessThanOrEqual(20 * 60_000);
    expect(DEFAULT_DELIVERY_OPTIONS.deadlineMs).toBe(24 * 3600_000);
  });
});
