import { describe, expect, it } from 'vitest';
import { FreshCache } from './fresh-cache.js';

/** A store whose reads are counted and answer what `value` holds when they start. */
function countingStore(initial: string) {
  const store = { value: initial, reads: 0, fail: false };
  const load = async (): Promise<string> => {
    store.reads++;
    if (store.fail) throw new Error('connect ECONNREFUSED');
    return store.value;
  };
  return { store, load };
}

describe('FreshCache renewal ahead of expiry', () => {
  it('answers from the cache in the first half of the bound without reading', async () => {
    const cache = new FreshCache<string>(1000, 10);
    const { store, load } = countingStore('pass');
    await cache.read('k', 0, load);
    expect(cache.fresh('k', 500, load)?.value).toBe('pass');
    expect(store.reads).toBe(1);
  });

  it('past half the bound answers the cached value and renews it in the background', async () => {
    const cache = new FreshCache<string>(1000, 10);
    const { store, load } = countingStore('pass');
    await cache.read('k', 0, load);
    store.value = 'fail';
    expect(cache.fresh('k', 600, load)?.value).toBe('pass');
    // One renewal at a time, however many requests ask meanwhile.
    expect(cache.fresh('k', 601, load)?.value).toBe('pass');
    await new Promise((done) => setImmediate(done));
    expect(store.reads).toBe(2);
    // The renewed value counts from when its read started (600): fresh until 1600, not longer.
    expect(cache.fresh('k', 1100)?.value).toBe('fail');
    expect(cache.fresh('k', 1600)?.value).toBe('fail');
    expect(cache.fresh('k', 1601)).toBeUndefined();
  });

  it('a failed renewal leaves the entry to expire at its bound, still remembered for the stale fallback', async () => {
    const cache = new FreshCache<string>(1000, 10);
    const { store, load } = countingStore('pass');
    await cache.read('k', 0, load);
    store.fail = true;
    expect(cache.fresh('k', 700, load)?.value).toBe('pass');
    await new Promise((done) => setImmediate(done));
    expect(store.reads).toBe(2);
    expect(cache.fresh('k', 1001, load)).toBeUndefined();
    expect(cache.remembered('k', 1001, 60_000)?.value).toBe('pass');
  });

  it('a change announced during a renewal keeps the renewal from refilling the cache', async () => {
    const cache = new FreshCache<string>(1000, 10);
    const { store, load } = countingStore('pass');
    await cache.read('k', 0, load);
    store.value = 'old read';
    expect(cache.fresh('k', 600, load)?.value).toBe('pass');
    cache.invalidate();
    await new Promise((done) => setImmediate(done));
    expect(cache.fresh('k', 601)).toBeUndefined();
  });
});
