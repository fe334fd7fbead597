/**
 * A vitest reporter that writes why a run failed to `.tmp/vitest-problems.json`: unhandled
 * errors (vitest's JSON report leaves them out, so a run could exit 1 with "0 failed") and test
 * modules that failed outside any test (an import or hook error). `scripts/test.sh` prints it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

interface SerializedProblem {
  name?: string;
  message?: string;
  stack?: string;
}

export interface RunProblems {
  reason: TestRunEndReason;
  unhandledErrors: { name: string; message: string; stack: string }[];
  failedModules: { file: string; errors: string[] }[];
  /** The JSON report gives a timed-out test's stack ("Error: STACK_TRACE_ERROR"), not its message. */
  failedTests: { file: string; name: string; message: string }[];
}

const OUTPUT = resolve('.tmp/vitest-problems.json');
/** Enough of a stack to find the place, not a screenful. */
const shortStack = (stack: string | undefined) => (stack ?? '').split('\n').slice(0, 6).join('\n');

export default class ProblemsReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandled: ReadonlyArray<SerializedProblem>,
    reason: TestRunEndReason,
  ): void {
    const problems: RunProblems = {
      reason,
      unhandledErrors: unhandled.map((e) => ({
        name: e.name ?? 'Error',
        message: e.message ?? String(e),
        stack: shortStack(e.stack),
      })),
      failedModules: modules
        .filter((m) => m.state() === 'failed' && m.errors().length > 0)
        .map((m) => ({
          file: relative(process.cwd(), m.moduleId),
          errors: m.errors().map((e) => `${e.name ?? 'Error'}: ${e.message ?? ''}`),
        })),
      failedTests: modules.flatMap((m) =>
        [...m.children.allTests('failed')].map((t) => ({
          file: relative(process.cwd(), m.moduleId),
          name: t.name,
          message: (t.result().errors ?? []).map((e) => (e.message ?? '').split('\n')[0]).join('; '),
        })),
      ),
    };
    mkdirSync(dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, JSON.stringify(problems, null, 2));
  }
}
