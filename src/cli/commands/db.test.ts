/**
 * `portcullis db …` through the real CLI entry: update from the shared mirror, status, export,
 * import into a fresh database, and refusal of damaged bundles, on PGlite under --cache-dir and
 * on a real PostgreSQL server via --db-url.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../../test/harness/postgres.js';
import { FEED_DRIVERS } from '../../core/advisories/feeds/registry.js';
import { migrate } from '../../store/migrate.js';
import { openDatabase, type DatabaseConfig, type Sql } from '../../store/sql.js';
import { VulnerabilityStore, type PackageKey } from '../../store/vulnerability-store.js';
import { runCli, type CliRun } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

const MIRROR = SHARED_DATA;
function driverById(id: string): (typeof FEED_DRIVERS)[number] {
  const driver = FEED_DRIVERS.find((d) => d.id === id);
  if (!driver) throw new Error(`no feed driver ${id}`);
  return driver;
}
const LONG = 600_000;

async function run(args: string[]): Promise<CliRun> {
  return runCli(args);
}

/** Opens a database the way the CLI does, for assertions made outside the CLI. */
async function withStore<T>(
  config: DatabaseConfig,
  fn: (store: VulnerabilityStore, db: Sql) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(config);
  try {
    await migrate(db);
    return await fn(new VulnerabilityStore(db), db);
  } finally {
    await db.close();
  }
}

/** Every 40th (namespace, package) key, plus the packages the matching tests care about. */
async function sampleKeys(db: Sql): Promise<PackageKey[]> {
  const { rows } = await db.query<{ ns: string; pkg: string }>(
    `SELECT ns, pkg FROM (SELECT namespace AS ns, package_name AS pkg, row_number() OVER (ORDER BY namespace, package_name) AS n
       FROM (SELECT DISTINCT namespace, package_name FROM advisory) d) k WHERE n % 40 = 0`,
  );
  return [
    { namespace: 'osv:npm', packageName: 'minimist' },
    ...rows.map((r) => ({ namespace: r.ns, packageName: r.pkg })),
  ];
}

/** What the matchers see for the sample keys: advisories and their enrichment, in a stable order. */
async function answers(store: VulnerabilityStore, keys: PackageKey[]): Promise<string> {
  const advisories = await store.advisoriesFor(keys);
  const sorted = advisories
    .map((a) => JSON.stringify(a))
    .sort()
    .map((s) => JSON.parse(s) as { aliases: string[] });
  const cves = [...new Set(sorted.flatMap((a) => a.aliases).filter((id) => id.startsWith('CVE-')))].sort();
  const enrichment = await store.enrichment(cves);
  const enriched = cves.map((c) => {
    const e = enrichment.get(c);
    return [c, e ? { ...e, cvss: [...e.cvss].map((x) => JSON.stringify(x)).sort() } : null];
  });
  return JSON.stringify({ sorted, enriched });
}

/** Where one database lives: the global flags (--cache-dir) and the db command's own (--db-url). */
interface Target {
  global: string[];
  local: string[];
}

type Backend = {
  name: string;
  setup(): Promise<{
    target(tag: string): Promise<Target>;
    config(t: Target): DatabaseConfig;
    stop(): Promise<void>;
  }>;
};

/** `portcullis <global flags> db <sub> <db flags> <rest>` */
const db = (t: Target, sub: string, ...rest: string[]) => run([...t.global, 'db', sub, ...t.local, ...rest]);

const backends: Backend[] = [
  {
    name: 'PGlite under --cache-dir',
    async setup() {
      return {
        target: (tag) => Promise.resolve({ global: ['--cache-dir', join(root, tag)], local: [] }),
        config: (t) => ({ kind: 'pglite', dataDir: join(t.global[1] as string, 'db') }),
        stop: () => Promise.resolve(),
      };
    },
  },
  {
    name: 'PostgreSQL via --db-url',
    async setup() {
      const server: PostgresServer = await startPostgres();
      return {
        // One database per tag on the same server: a fresh, empty target for each step.
        async target(tag) {
          const admin = new pg.Client({ connectionString: server.url });
          await admin.connect();
          await admin.query(`CREATE DATABASE "${tag}"`);
          await admin.end();
          const url = server.url.replace(/\/postgres$/, `/${tag}`);
          return { global: ['--cache-dir', join(root, `pg-${tag}`)], local: ['--db-url', url] };
        },
        config: (t) => ({ kind: 'postgres', url: t.local[1] as string }),
        stop: () => server.stop(),
      };
    },
  },
];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-db-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(backends)('portcullis db on $name', (backend) => {
  let ctx: Awaited<ReturnType<Backend['setup']>>;
  let source: Target;
  let bundle: string;

  beforeAll(async () => {
    ctx = await backend.setup();
    source = await ctx.target('src');
    bundle = join(root, `${backend.name.replace(/\W/g, '')}.bundle.gz`);
  }, LONG);
  afterAll(async () => ctx?.stop(), LONG);

  it(
    'updates every feed from the mirror and status shows the counts the drivers reported',
    async () => {
      const update = await db(source, 'update', '--mirror', MIRROR, '-o', 'json');
      expect(update.err).toBe('');
      expect(update.code).toBe(0);
      const outcomes = JSON.parse(update.out) as {
        driver: string;
        status: string;
        report?: { records: number };
      }[];
      expect(outcomes.map((o) => o.driver)).toEqual(FEED_DRIVERS.map((d) => d.id));
      const status = await db(source, 'status', '-o', 'json');
      expect(status.code).toBe(0);
      const rows = JSON.parse(status.out) as { source: string; records: number; lastSync: string }[];
      for (const o of outcomes) {
        expect(o.status, o.driver).toBe('updated');
        expect(rows.find((r) => r.source === o.driver)?.records, o.driver).toBe(o.report?.records);
        // A source the snapshot does not carry imports as an empty, visible feed.
        const carried = existsSync(join(MIRROR, driverById(o.driver).mirrorSubdir));
        if (carried) expect(o.report?.records, o.driver).toBeGreaterThan(0);
        else expect(o.report?.records, o.driver).toBe(0);
      }
      expect(rows.map((r) => r.source).sort()).toEqual(FEED_DRIVERS.map((d) => d.id).sort());
      const table = await db(source, 'status');
      for (const d of FEED_DRIVERS) expect(table.out).toMatch(new RegExp(`^${d.id}\\s`, 'm'));
    },
    LONG,
  );

  it(
    'export then import into a fresh database gives the same answers',
    async () => {
      const exported = await db(source, 'export', bundle);
      expect(exported.err).toBe('');
      expect(exported.code).toBe(0);
      const target = await ctx.target('dst');
      const imported = await db(target, 'import', bundle);
      expect(imported.err).toBe('');
      expect(imported.code).toBe(0);
      const [before, keys, statusBefore] = await withStore(ctx.config(source), async (store, db) => {
        const k = await sampleKeys(db);
        return [await answers(store, k), k, await store.status()] as const;
      });
      expect(keys.length).toBeGreaterThan(100);
      const [after, statusAfter] = await withStore(ctx.config(target), async (store) => [
        await answers(store, keys),
        await store.status(),
      ]);
      expect(after).toBe(before);
      expect(statusAfter).toEqual(statusBefore);
      // NVD CPE configurations travel too, so `scan --cpe` works after an import.
      const cpeRows = (config: DatabaseConfig) =>
        withStore(config, async (_store, db) => {
          const { rows } = await db.query<{ n: string; h: string }>(
            "SELECT count(*) AS n, md5(string_agg(cve || record::text, ',' ORDER BY cve)) AS h FROM cpe_config",
          );
          return rows[0];
        });
      const cpeBefore = await cpeRows(ctx.config(source));
      expect(Number(cpeBefore?.n)).toBeGreaterThan(100);
      expect(await cpeRows(ctx.config(target))).toEqual(cpeBefore);
    },
    LONG,
  );

  it(
    'refuses damaged bundles before anything changes, naming the file',
    async () => {
      const target = await ctx.target('dmg');
      const intact = await db(target, 'import', bundle);
      expect(intact.code).toBe(0);
      const snapshot = async () =>
        withStore(ctx.config(target), async (store, db) => {
          const n = await db.query<{ n: string }>(
            'SELECT (SELECT count(*) FROM advisory) + (SELECT count(*) FROM epss) + (SELECT count(*) FROM cvss) AS n',
          );
          return JSON.stringify([await store.status(), n.rows[0]?.n]);
        });
      const before = await snapshot();
      const raw = await readFile(bundle);

      const flipped = join(root, 'flipped.bundle.gz');
      const bytes = Buffer.from(raw);
      const at = Math.floor(bytes.length * 0.6);
      bytes[at] = (bytes[at] as number) ^ 0x55;
      await writeFile(flipped, bytes);

      const truncated = join(root, 'truncated.bundle.gz');
      await writeFile(truncated, raw.subarray(0, Math.floor(raw.length / 2)));

      // A payload changed and recompressed: gzip is intact, only the manifest's sha256 can tell.
      const text = gunzipSync(raw).toString('utf8');
      const nl = text.indexOf('\n');
      const tampered = join(root, 'tampered.bundle.gz');
      await writeFile(tampered, gzipSync(text.slice(0, nl + 1) + text.slice(nl + 1).replace('CVE-', 'CVX-')));

      // A consistent checksum over an invalid record (EPSS above 1): the record check refuses it
      // inside the import transaction, and the EPSS rows already stored stay.
      const manifest = JSON.parse(text.slice(0, nl)) as {
        payload: { sha256: string; bytes: number; lines: number };
        sources: { source: string; rows: number }[];
      };
      const badLine = '{"kind":"epss","epss":{"cve":"CVE-2024-0001","epss":7,"percentile":0.5}}\n';
      const epssSource = manifest.sources.find((x) => x.source === 'epss');
      const forged = {
        ...manifest,
        payload: {
          sha256: createHash('sha256').update(badLine).digest('hex'),
          bytes: Buffer.byteLength(badLine),
          lines: 1,
        },
        sources: [{ ...epssSource, rows: 1 }],
      };
      const badRecord = join(root, 'bad-record.bundle.gz');
      await writeFile(badRecord, gzipSync(`${JSON.stringify(forged)}\n${badLine}`));

      const noManifest = join(root, 'no-manifest.bundle.gz');
      await writeFile(noManifest, gzipSync('{"format":"something-else"}\n'));

      const cases: [string, RegExp][] = [
        [flipped, /CORRUPT_ARCHIVE|DIGEST_MISMATCH/],
        [truncated, /CORRUPT_ARCHIVE.*truncated/],
        [tampered, /DIGEST_MISMATCH.*checksum mismatch/],
        [badRecord, /CORRUPT_ARCHIVE.*line 2 \(source epss\): epss\.epss/],
        [noManifest, /CORRUPT_ARCHIVE.*invalid manifest/],
        [join(root, 'missing.bundle.gz'), /NOT_FOUND/],
      ];
      for (const [file, pattern] of cases) {
        const result = await db(target, 'import', file);
        expect(result.code, file).toBe(1);
        expect(result.err, file).toMatch(pattern);
        expect(result.err, file).toContain(file);
        expect(await snapshot(), file).toBe(before);
      }
      await copyFile(bundle, join(root, 'copy.bundle.gz'));
      expect((await db(target, 'import', join(root, 'copy.bundle.gz'))).code).toBe(0);
    },
    LONG,
  );

  it('rejects a mirror that is not a directory', async () => {
    const result = await db(source, 'update', '--mirror', join(root, 'nope'));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/INVALID_ARGUMENT.*nope/);
  });
});
