import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared data snapshot (vulnerability feeds, secret rules, policy bundles): `shared/data`
 * beside the repository, as on every machine of the project and in CI; PORTCULLIS_TEST_DATA
 * overrides it.
 */
export const SHARED_DATA = process.env.PORTCULLIS_TEST_DATA ?? resolve(repoRoot, '..', 'shared', 'data');
