/**
 * Shared fixtures of the vulnerability-data benchmarks: the shared mirror loaded once into an
 * on-disk PGlite database (removed when the process exits), and a 1,000-package SBOM built from
 * real package names that have advisories.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEED_DRIVERS } from '../src/core/advisories/feeds/registry.js';
import type { SbomDocument } from '../src/core/sbom/document.js';
import type { Package } from '../src/core/sbom/model.js';
import { migrate } from '../src/store/migrate.js';
import { openPglite, type Sql } from '../src/store/sql.js';
import { updateFeeds } from '../src/store/update-feeds.js';
import { VulnerabilityStore } from '../src/store/vulnerability-store.js';
import { SHARED_DATA } from '../test/support/shared-data.js';

export const MIRROR = SHARED_DATA;

/** Imports every feed of the mirror into `db`; throws if any feed fails. */
export async function importMirror(db: Sql): Promise<void> {
  await migrate(db);
  const outcomes = await updateFeeds(new VulnerabilityStore(db), FEED_DRIVERS, {
    mode: { mirrorDir: MIRROR },
  });
  const failed = outcomes.filter((o) => o.status !== 'updated');
  if (failed.length) throw new Error(`bench import failed: ${JSON.stringify(failed)}`);
}

let loaded: Promise<string> | undefined;

/** Data dir of a PGlite database holding the whole mirror, built once per bench process. */
export function loadedDataDir(): Promise<string> {
  loaded ??= (async () => {
    const root = await mkdtemp(join(tmpdir(), 'portcullis-bench-vulndb-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    const dataDir = join(root, 'db');
    const db = await openPglite(dataDir);
    try {
      await importMirror(db);
    } finally {
      await db.close();
    }
    return dataDir;
  })();
  return loaded;
}

function pkg(
  type: Package['type'],
  name: string,
  version: string,
  purl: string,
  source?: Package['source'],
): Package {
  return {
    id: `${type}:${name}@${version}`,
    name,
    version,
    type,
    purl,
    licenses: [],
    locations: [],
    foundBy: 'bench',
    ...(source ? { source } : {}),
    metadata: {},
  };
}

/**
 * 1,000 packages: every dpkg package of the bookworm minbase (keyed on its source package), then
 * npm and PyPI names that have OSV advisories, at old versions so many ranges must be decided.
 */
export async function benchSbom(db: Sql, size = 1000): Promise<SbomDocument> {
  const tsv = await readFile(join(MIRROR, 'debian/minbase-dpkg-status.tsv'), 'utf8');
  const packages: Package[] = [];
  for (const line of tsv.split('\n')) {
    const [binary, version, source, sourceVersion] = line.split('\t');
    if (!binary || !version || !source || !sourceVersion) continue;
    packages.push(
      pkg(
        'deb',
        binary,
        version,
        `pkg:deb/debian/${binary}@${encodeURIComponent(version)}?distro=debian-12`,
        {
          name: source,
          version: sourceVersion,
        },
      ),
    );
  }
  const rest = size - packages.length;
  const { rows } = await db.query<{ ns: string; name: string }>(
    `(SELECT DISTINCT namespace AS ns, package_name AS name FROM advisory WHERE namespace = 'osv:npm' ORDER BY 2 LIMIT $1)
     UNION ALL
     (SELECT DISTINCT namespace, package_name FROM advisory WHERE namespace = 'osv:PyPI' ORDER BY 2 LIMIT $2)`,
    [Math.ceil(rest / 2), Math.floor(rest / 2)],
  );
  for (const r of rows) {
    packages.push(
      r.ns === 'osv:npm'
        ? pkg('npm', r.name, '1.0.0', `pkg:npm/${encodeURIComponent(r.name)}@1.0.0`)
        : pkg('python', r.name, '1.0', `pkg:pypi/${r.name}@1.0`),
    );
  }
  if (packages.length !== size) throw new Error(`bench SBOM has ${packages.length} packages, wanted ${size}`);
  return {
    schemaVersion: '1',
    descriptor: { name: 'portcullis', version: 'bench' },
    createdAt: new Date(0).toISOString(),
    source: { type: 'sbom', input: 'bench', layers: [] },
    distro: { id: 'debian', versionId: '12', versionCodename: 'bookworm' },
    packages,
    relationships: [],
    files: [],
    secrets: [],
    unknowns: [],
  };
}
