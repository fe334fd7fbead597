import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('gives concurrent callers of one key the same read, and reads again once it settled', async () => {
    const flight = new SingleFlight<number>();
    let reads = 0;
    let release: (v: number) => void = () => undefined;
    const read = () => {
      reads++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const a = flight.run('k', read);
    const b = flight.run('k', read);
    expect(reads).toBe(1);
    release(7);
    expect(await Promise.all([a, b])).toEqual([7, 7]);
    const c = flight.run('k', read);
    expect(reads).toBe(2);
    release(8);
    expect(await c).toBe(8);
  });

  it('keeps keys apart and lets a failed read fail every waiter, then forgets it', async () => {
    const flight = new SingleFlight<string>();
    const failing = flight.run('x', () => Promise.reject(new Error('boom')));
    const other = flight.run('y', () => Promise.resolve('y'));
    await expect(failing).rejects.toThrow('boom');
    expect(await other).toBe('y');
    expect(await flight.run('x', () => Promise.resolve('ok'))).toBe('ok');
  });
});
