/**
 * Per-layer cache of what one pass over a layer produced: its filesystem index and its
 * analysis (digests, secrets, captured cataloger inputs). Keyed by the layer's diffID and
 * everything that changes the analysis (cataloger ids@versions, limits, secret rules), so an
 * image that shares layers with one scanned before only reads its new layers.
 * Files are written to a temp name and renamed: a crash never leaves a torn entry, and
 * deleting the cache directory is always safe.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParsedLayer } from '../fs/index.js';
import type { SbomDocument, SecretFinding } from '../sbom/document.js';
import type { LayerAnalysis } from './layer-analysis.js';
import type { ContentMatchRecord } from '../secrets/content-search.js';
import { touchLastUse } from '../cache/touch.js';

/**
 * On-disk layout, shared with the pruner (src/core/cache): per-layer entries under
 * `layers/<2 hex>/<64 hex>.bin`, whole-image results under `results/<2 hex>/<64 hex>.bin`,
 * and in-flight writes as `.tmp-<12 hex>` next to them.
 */
export const LAYER_ENTRIES_DIR = 'layers';
export const RESULT_ENTRIES_DIR = 'results';
export const ENTRY_NAME_RE = /^[0-9a-f]{64}\.bin$/;
export const ENTRY_TEMP_RE = /^\.tmp-[0-9a-f]{12}$/;

/** Bump when the entry format changes. */
const FORMAT = 2;

export interface CachedLayer {
  index: ParsedLayer;
  analysis: LayerAnalysis;
}

/** A whole image's result: what a re-scan of the very same image (same digest) returns. */
export interface CachedResult {
  document: SbomDocument;
  retrieved: Map<string, Buffer>;
}

export interface LayerCache {
  get(diffId: string, key: string): Promise<CachedLayer | undefined>;
  put(diffId: string, key: string, value: CachedLayer): Promise<void>;
  /** Optional: results composed from the layers, keyed by image digest + analysis key. */
  getResult?(key: string): Promise<CachedResult | undefined>;
  putResult?(key: string, value: CachedResult): Promise<void>;
}

interface ResultHeader {
  format: number;
  key: string;
  document: SbomDocument;
  retrieved: [string, number][];
}

/** Header length (4 bytes), JSON header, then the blobs the header lists in order. */
function encode(header: object, blobs: readonly Buffer[]): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json, ...blobs]);
}

/** The header and the blobs it lists; undefined when the bytes do not add up (torn entry). */
function decode<H>(
  raw: Buffer,
  lengths: (header: H) => [string, number][],
): { header: H; blobs: Map<string, Buffer> } | undefined {
  const headerLength = raw.readUInt32BE(0);
  const header = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as H;
  const blobs = new Map<string, Buffer>();
  let offset = 4 + headerLength;
  for (const [path, length] of lengths(header)) {
    blobs.set(path, raw.subarray(offset, offset + length));
    offset += length;
  }
  return offset === raw.length ? { header, blobs } : undefined;
}

async function writeAtomically(target: string, bytes: Buffer): Promise<void> {
  const dir = join(target, '..');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

interface Header {
  format: number;
  diffId: string;
  key: string;
  index: ParsedLayer;
  digests: [string, string][];
  secrets: SecretFinding[];
  contentMatches: ContentMatchRecord[];
  captured: [string, number][];
}

export class DiskLayerCache implements LayerCache {
  constructor(private readonly dir: string) {}

  private file(diffId: string, key: string): string {
    const name = createHash('sha256').update(`${FORMAT}\0${diffId}\0${key}`).digest('hex');
    return join(this.dir, LAYER_ENTRIES_DIR, name.slice(0, 2), `${name}.bin`);
  }

  private resultFile(key: string): string {
    const name = createHash('sha256').update(`${FORMAT}\0result\0${key}`).digest('hex');
    return join(this.dir, RESULT_ENTRIES_DIR, name.slice(0, 2), `${name}.bin`);
  }

  async get(diffId: string, key: string): Promise<CachedLayer | undefined> {
    const path = this.file(diffId, key);
    let raw: Buffer;
    try {
      // readFile holds one descriptor from open to the last byte, so a prune that unlinks the
      // entry meanwhile cannot tear it; a prune that came first makes this a plain miss.
      raw = await readFile(path);
    } catch {
      return undefined;
    }
    await touchLastUse(path);
    try {
      const entry = decode<Header>(raw, (h) => h.captured);
      if (!entry) return undefined; // truncated or padded: ignore, it will be rebuilt
      const { header, blobs } = entry;
      if (header.format !== FORMAT || header.diffId !== diffId || header.key !== key) return undefined;
      return {
        index: header.index,
        analysis: {
          diffId,
          captured: blobs,
          digests: new Map(header.digests),
          secrets: header.secrets,
          contentMatches: header.contentMatches,
        },
      };
    } catch {
      return undefined; // a damaged entry is a cache miss, never an error
    }
  }

  async put(diffId: string, key: string, value: CachedLayer): Promise<void> {
    const captured = [...value.analysis.captured];
    const header: Header = {
      format: FORMAT,
      diffId,
      key,
      index: value.index,
      digests: [...value.analysis.digests],
      secrets: value.analysis.secrets,
      contentMatches: value.analysis.contentMatches,
      captured: captured.map(([path, content]) => [path, content.length]),
    };
    await writeAtomically(
      this.file(diffId, key),
      encode(
        header,
        captured.map(([, c]) => c),
      ),
    );
  }

  async getResult(key: string): Promise<CachedResult | undefined> {
    const path = this.resultFile(key);
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch {
      return undefined;
    }
    await touchLastUse(path);
    try {
      const entry = decode<ResultHeader>(raw, (h) => h.retrieved);
      if (!entry || entry.header.format !== FORMAT || entry.header.key !== key) return undefined;
      return { document: entry.header.document, retrieved: entry.blobs };
    } catch {
      return undefined;
    }
  }

  async putResult(key: string, value: CachedResult): Promise<void> {
    const retrieved = [...value.retrieved];
    const header: ResultHeader = {
      format: FORMAT,
      key,
      document: value.document,
      retrieved: retrieved.map(([path, content]) => [path, content.length]),
    };
    await writeAtomically(
      this.resultFile(key),
      encode(
        header,
        retrieved.map(([, c]) => c),
      ),
    );
  }
}
