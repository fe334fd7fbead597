import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests build real images and start real servers: generous, but never a timing assertion.
    testTimeout: 120_000,
    hookTimeout: 900_000,
    globalSetup: ['test/harness/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
