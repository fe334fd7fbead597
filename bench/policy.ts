/**
 * Policy evaluation (issue 5's target: a 50-rule bundle on a 1,000-package image with 500
 * findings in at most 20 ms). The baseline is that 20 ms budget itself, so a ratio ≤ 1 meets it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { benchBundleDocument, benchInput } from '../src/core/policy/bench-fixture.js';
import { evaluatePolicy } from '../src/core/policy/evaluate.js';
import { validateBundle } from '../src/core/policy/validate.js';
import type { Benchmark } from './types.js';

const BUDGET_MS = 20;

export const policyEvaluateBenchmark: Benchmark = {
  name: 'policy-evaluate',
  baselineLabel: `${BUDGET_MS} ms budget`,
  targetRatio: 1,
  runs: 30,
  prepare() {
    const result = validateBundle(benchBundleDocument());
    if (!result.ok) throw new Error(`bench bundle invalid: ${JSON.stringify(result.errors)}`);
    const bundle = result.bundle;
    const input = benchInput();
    return Promise.resolve({
      measure: () => {
        evaluatePolicy(bundle, input);
        return Promise.resolve();
      },
      baseline: () => sleep(BUDGET_MS),
    });
  },
};
