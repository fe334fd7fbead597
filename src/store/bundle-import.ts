/**
 * `db import`: verifies an offline bundle end to end (gzip integrity, manifest schema, payload
 * sha256, line and byte counts) before the database is touched, then replaces each source it
 * carries, all swapped in together in one short transaction: a bundle that turns out bad
 * half-way changes nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { ImportReport } from '../core/advisories/import-report.js';
import { PortcullisError } from '../core/errors.js';
import { bundleManifestSchema, MAX_BUNDLE_LINE_BYTES, type BundleManifest } from './bundle-format.js';
import { STORE_SCHEMA_VERSION } from './bundle-export.js';
import { parseBundleRecord } from './bundle-records.js';
import type { Sql } from './sql.js';
import { withFeedImport, type FeedImporter, type PackageKey } from './feed-import.js';

const NEWLINE = 0x0a;

function corrupt(file: string, what: string, cause?: unknown): PortcullisError {
  return new PortcullisError('CORRUPT_ARCHIVE', `bundle ${file}: ${what}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { path: file },
  });
}

/** Decompressed lines (without "\n"), each at most MAX_BUNDLE_LINE_BYTES; gzip errors named. */
async function* bundleLines(file: string): AsyncGenerator<Buffer> {
  const info = await stat(file).catch((err: unknown) => {
    throw new PortcullisError('NOT_FOUND', `cannot read bundle ${file}`, {
      cause: err,
      details: { path: file },
    });
  });
  // Refuse FIFOs and devices: an endless source would never finish verifying.
  if (!info.isFile())
    throw new PortcullisError('IO', `bundle ${file} is not a regular file`, { details: { path: file } });
  const raw = createReadStream(file);
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  let parts: Buffer[] = [];
  let pending = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
        const tail = chunk.subarray(start, nl);
        if (pending + tail.length > MAX_BUNDLE_LINE_BYTES)
          throw corrupt(file, `a line exceeds ${MAX_BUNDLE_LINE_BYTES} bytes`);
        yield parts.length ? Buffer.concat([...parts, tail]) : tail;
        parts = [];
        pending = 0;
        start = nl + 1;
      }
      if (start < chunk.length) {
        parts.push(chunk.subarray(start));
        pending += chunk.length - start;
        if (pending > MAX_BUNDLE_LINE_BYTES)
          throw corrupt(file, `a line exceeds ${MAX_BUNDLE_LINE_BYTES} bytes`);
      }
    }
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    throw corrupt(file, 'not a complete gzip stream (truncated or damaged)', err);
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
  if (pending > 0) throw corrupt(file, 'ends in the middle of a line (truncated)');
}

function parseManifest(file: string, line: Buffer | undefined): BundleManifest {
  if (line === undefined) throw corrupt(file, 'empty, no manifest');
  let json: unknown;
  try {
    json = JSON.parse(line.toString('utf8'));
  } catch (err) {
    throw corrupt(file, 'the first line is not a JSON manifest', err);
  }
  const parsed = bundleManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(file, `invalid manifest at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`);
  }
  const m = parsed.data;
  if (m.schemaVersion > STORE_SCHEMA_VERSION) {
    throw new PortcullisError(
      'CONFIG_INVALID',
      `bundle ${file} has store schema ${m.schemaVersion}, newer than this Portcullis (${STORE_SCHEMA_VERSION}); upgrade Portcullis`,
      { details: { path: file } },
    );
  }
  const names = new Set(m.sources.map((s) => s.source));
  if (names.size !== m.sources.length) throw corrupt(file, 'the manifest lists a source twice');
  const rows = m.sources.reduce((n, s) => n + s.rows, 0);
  if (rows !== m.payload.lines)
    throw corrupt(file, `sources hold ${rows} rows but the payload has ${m.payload.lines} lines`);
  return m;
}

/** Hashes payload lines as they pass and checks them against the manifest at the end. */
class PayloadCheck {
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private lines = 0;

  constructor(
    private readonly file: string,
    private readonly manifest: BundleManifest,
  ) {}

  add(line: Buffer): void {
    this.bytes += line.length + 1;
    this.lines++;
    // Stop reading a payload longer than declared (a decompression bomb) as soon as it shows.
    if (this.bytes > this.manifest.payload.bytes) throw this.mismatch();
    this.hash.update(line);
    this.hash.update('\n');
  }

  finish(): void {
    const sha = this.hash.digest('hex');
    if (
      sha !== this.manifest.payload.sha256 ||
      this.bytes !== this.manifest.payload.bytes ||
      this.lines !== this.manifest.payload.lines
    ) {
      throw this.mismatch(sha);
    }
  }

  private mismatch(sha?: string): PortcullisError {
    return new PortcullisError(
      'DIGEST_MISMATCH',
      `bundle ${this.file}: payload checksum mismatch (manifest sha256 ${this.manifest.payload.sha256}, ${this.manifest.payload.bytes} bytes; read ${sha ? `sha256 ${sha}, ` : 'more than that, '}${this.bytes} bytes)`,
      { details: { path: this.file } },
    );
  }
}

/** Reads the whole bundle once and returns its manifest; throws if anything does not check out. */
export async function verifyBundle(file: string): Promise<BundleManifest> {
  const lines = bundleLines(file);
  try {
    const first = await lines.next();
    const manifest = parseManifest(file, first.done ? undefined : first.value);
    const check = new PayloadCheck(file, manifest);
    for await (const line of lines) check.add(line);
    check.finish();
    return manifest;
  } finally {
    await lines.return(undefined); // closes the file when we stop early
  }
}

export interface ImportedSource {
  source: string;
  rows: number;
  changedKeys: PackageKey[];
}

export async function importBundle(
  db: Sql,
  file: string,
): Promise<{ manifest: BundleManifest; sources: ImportedSource[] }> {
  const manifest = await verifyBundle(file);
  const imported = await withFeedImport(db, async (importer) => {
    // Read again while staging and re-check: the file may change between the passes. Every
    // source is staged first and all are swapped in together only once the whole file checked.
    const lines = bundleLines(file);
    try {
      const sources = await stageAll(importer, file, manifest, lines);
      await importer.commit();
      return sources;
    } finally {
      await lines.return(undefined);
    }
  });
  return { manifest, sources: imported };
}

async function stageAll(
  importer: FeedImporter,
  file: string,
  manifest: BundleManifest,
  lines: AsyncGenerator<Buffer>,
): Promise<ImportedSource[]> {
  await lines.next(); // the manifest, already verified
  const check = new PayloadCheck(file, manifest);
  let lineNo = 1;
  const out: ImportedSource[] = [];
  for (const s of manifest.sources) {
    const { changedKeys } = await importer.stage(s.source, async (sink) => {
      for (let i = 0; i < s.rows; i++) {
        const next = await lines.next();
        lineNo++;
        if (next.done) throw corrupt(file, `ends at line ${lineNo} inside source ${s.source}`);
        check.add(next.value);
        const parsed = parseBundleRecord(next.value.toString('utf8'));
        if ('error' in parsed) throw corrupt(file, `line ${lineNo} (source ${s.source}): ${parsed.error}`);
        await sink(parsed.record);
      }
      return {
        freshness: {
          driver: s.source,
          lastSync: s.lastSync,
          records: s.records,
          sourceVersion: s.sourceVersion ?? '',
          changed: true,
        },
        // Validated by the manifest schema; zod types optional fields as `T | undefined`.
        ...('driver' in s.report ? { report: s.report as ImportReport } : {}),
        records: s.records,
      };
    });
    out.push({ source: s.source, rows: s.rows, changedKeys });
  }
  for await (const line of lines) check.add(line);
  check.finish();
  return out;
}
