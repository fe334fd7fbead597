import { appendFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * `scripts/test.sh` sets PORTCULLIS_TEST_CONSOLE_LOG: what tests print (timings, tool chatter)
 * then goes to that file instead of the run's output, which keeps only results and reasons.
 */
const consoleLog = process.env.PORTCULLIS_TEST_CONSOLE_LOG;
if (consoleLog) mkdirSync(new URL('.tmp/', import.meta.url), { recursive: true });

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests build real images and start real servers: generous, but never a timing assertion.
    // 300 s: the heaviest (whole-snapshot checks) went past 120 s at load 20 on 2 cores.
    testTimeout: 300_000,
    hookTimeout: 900_000,
    // Workers stop registries, databases and daemons on close: on a busy machine that takes longer than 10 s.
    teardownTimeout: 120_000,
    globalSetup: ['test/harness/global-setup.ts'],
    setupFiles: ['test/support/rpc-timeout-guard.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    ...(consoleLog && {
      onConsoleLog: (log: string, type: 'stdout' | 'stderr') => {
        appendFileSync(consoleLog, `[${type}] ${log}${log.endsWith('\n') ? '' : '\n'}`);
        return false;
      },
    }),
  },
});
