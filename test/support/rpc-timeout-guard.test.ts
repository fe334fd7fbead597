import { describe, expect, it } from 'vitest';

describe('rpc-timeout-guard setup file', () => {
  // Canary: if a vitest upgrade moves the worker state, the guard silently stops working.
  it('is installed on the worker RPC of every test file', () => {
    const state = (globalThis as { __vitest_worker__?: { rpc: Record<symbol, unknown> } }).__vitest_worker__;
    expect(state?.rpc[Symbol.for('portcullis.rpc-timeout-guard')]).toBe(true);
  });
});
