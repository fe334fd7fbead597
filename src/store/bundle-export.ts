/**
 * `db export`: writes everything the store holds into one offline bundle (see bundle-format.ts).
 * The payload is written first to a private temp file (its checksum must precede it in the
 * manifest), then the manifest and payload are joined into `<file>.partial` and renamed, so a
 * failed export never leaves a half-written bundle under the requested name.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync, type Gzip } from 'node:zlib';
import { PortcullisError } from '../core/errors.js';
import type { ImportReport } from '../core/advisories/import-report.js';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type BundleSource,
} from './bundle-format.js';
import { MIGRATIONS } from './migrations.js';
import { unpackEpss } from './epss-buckets.js';
import type { Sql } from './sql.js';

export const STORE_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.id));

/** Hashes and compresses payload lines, in chunks of about 1 MiB (a zlib call per line is slow). */
class PayloadWriter {
  private readonly hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  bytes = 0;
  lines = 0;

  constructor(private readonly gzip: Gzip) {}

  async line(text: string): Promise<void> {
    this.pending.push(text, '\n');
    this.pendingChars += text.length + 1;
    this.lines++;
    if (this.pendingChars >= 1 << 20) await this.drain();
  }

  async drain(): Promise<void> {
    if (this.pending.length === 0) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingChars = 0;
    this.hash.update(buf);
    this.bytes += buf.length;
    if (!this.gzip.write(buf)) await new Promise<void>((resolve) => this.gzip.once('drain', resolve));
  }

  async digest(): Promise<string> {
    await this.drain();
    return this.hash.digest('hex');
  }
}

/** Record lines of one source; JSON held as jsonb is fetched as text and never re-parsed. */
async function writeSource(db: Sql, source: string, out: PayloadWriter): Promise<number> {
  const start = out.lines;
  const adv = await db.query<{ r: string }>(
    'SELECT record::text AS r FROM advisory WHERE source = $1 ORDER BY namespace, package_name, id',
    [source],
  );
  for (const row of adv.rows) await out.line(`{"kind":"advisory","advisory":${row.r}}`);
  const cvss = await db.query<{
    cve: string;
    scorer: string;
    version: string;
    vector: string;
    base_score: number;
    severity: string | null;
  }>(
    'SELECT cve, scorer, version, vector, base_score, severity FROM cvss WHERE source = $1 ORDER BY cve, scorer, version',
    [source],
  );
  for (const r of cvss.rows) {
    const cvssRecord = {
      cve: r.cve,
      source: r.scorer,
      version: r.version,
      vector: r.vector,
      // float4 round trip: one decimal is what CVSS base scores carry.
      baseScore: Math.round(Number(r.base_score) * 10) / 10,
      ...(r.severity ? { severity: r.severity } : {}),
    };
    await out.line(JSON.stringify({ kind: 'cvss', cvss: cvssRecord }));
  }
  for (const table of ['kev', 'ssvc'] as const) {
    const rows = await db.query<{ r: string }>(
      `SELECT record::text AS r FROM ${table} WHERE source = $1 ORDER BY cve`,
      [source],
    );
    for (const row of rows.rows) await out.line(`{"kind":"${table}","${table}":${row.r}}`);
  }
  // NVD CPE configurations, for the opt-in CPE matcher (`scan --cpe`).
  const cpe = await db.query<{ r: string }>(
    'SELECT record::text AS r FROM cpe_config WHERE source = $1 ORDER BY cve',
    [source],
  );
  for (const row of cpe.rows) await out.line(`{"kind":"cpe-config","cpe":${row.r}}`);
  const epss = await db.query<{ scores: string }>('SELECT scores FROM epss WHERE source = $1', [source]);
  const scores = unpackEpss(epss.rows.map((r) => r.scores)).sort((a, b) =>
    a.cve < b.cve ? -1 : a.cve > b.cve ? 1 : 0,
  );
  for (const r of scores) {
    await out.line(
      `{"kind":"epss","epss":{"cve":${JSON.stringify(r.cve)},"epss":${r.epss},"percentile":${r.percentile}}}`,
    );
  }
  return out.lines - start;
}

export interface ExportSummary {
  file: string;
  manifest: BundleManifest;
}

export async function exportBundle(
  db: Sql,
  file: string,
  now: () => Date = () => new Date(),
): Promise<ExportSummary> {
  const feeds = await db.query<{
    source: string;
    last_sync: Date | string;
    records: number;
    source_version: string | null;
    report: ImportReport | Record<string, never>;
  }>('SELECT source, last_sync, records, source_version, report FROM feed_source ORDER BY source');
  const temp = await mkdtemp(join(tmpdir(), 'portcullis-bundle-'));
  const partial = `${file}.partial`;
  try {
    const payloadPath = join(temp, 'payload.gz');
    const gzip = createGzip({ level: 6 });
    const sink: WriteStream = createWriteStream(payloadPath);
    const done = pipeline(gzip, sink);
    const out = new PayloadWriter(gzip);
    const sources: BundleSource[] = [];
    try {
      for (const f of feeds.rows) {
        const rows = await writeSource(db, f.source, out);
        sources.push({
          source: f.source,
          lastSync: new Date(f.last_sync).toISOString(),
          records: Number(f.records),
          ...(f.source_version ? { sourceVersion: f.source_version } : {}),
          report: f.report,
          rows,
        });
      }
      await out.drain();
    } finally {
      gzip.end();
      await done;
    }
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      schemaVersion: STORE_SCHEMA_VERSION,
      createdAt: now().toISOString(),
      payload: { sha256: await out.digest(), bytes: out.bytes, lines: out.lines },
      sources,
    };
    // Two gzip members in one file decompress as one stream: manifest line, then payload.
    await writeFile(partial, gzipSync(`${JSON.stringify(manifest)}\n`));
    await pipeline(createReadStream(payloadPath), createWriteStream(partial, { flags: 'a' }));
    await rename(partial, file);
    return { file, manifest };
  } catch (err) {
    await rm(partial, { force: true });
    throw new PortcullisError('IO', `cannot export the vulnerability database to ${file}`, {
      cause: err,
      details: { path: file },
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}
