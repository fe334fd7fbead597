import { describe, expect, it } from 'vitest';
import { benchBundleDocument, benchInput } from './bench-fixture.js';
import { evaluatePolicy } from './evaluate.js';
import { validateBundle } from './validate.js';

describe('benchmark workload', () => {
  it('is the size issue 5 names and evaluates without errors', () => {
    const result = validateBundle(benchBundleDocument());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const input = benchInput();
    expect([result.bundle.policies[0]?.rules.length, input.packages.length, input.findings.length]).toEqual([
      50, 1000, 500,
    ]);
    const decision = evaluatePolicy(result.bundle, input);
    expect(decision.errors).toEqual([]);
    expect(decision.triggers.some((t) => t.whitelisted !== null)).toBe(true);
    expect(decision.finalAction).toBe('STOP');
  });
});
