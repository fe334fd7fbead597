import { FIXTURE_NAMES, getFixtureImage } from './fixtures/index.js';

/**
 * Vitest global setup: builds (or reuses from cache) every fixture image once, before any test
 * file runs, so the test workers only ever read finished fixtures.
 */
export default async function setup(): Promise<void> {
  // app and multiarch both start from base: they build side by side once base exists.
  await Promise.all(FIXTURE_NAMES.map((name) => getFixtureImage(name)));
}
