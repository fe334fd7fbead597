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
import type { SecretFinding } from '../sbom/document.js';
import type { LayerAnalysis } from './layer-analysis.js';

/** Bump when the entry format changes. */
const FORMAT = 1;

export interface CachedLayer {
  index: ParsedLayer;
  analysis: LayerAnalysis;
}

export interface LayerCache {
  get(diffId: string, key: string): Promise<CachedLayer | undefined>;
  put(diffId: string, key: string, value: CachedLayer): Promise<void>;
}

interface Header {
  format: number;
  diffId: string;
  key: string;
  index: ParsedLayer;
  digests: [string, string][];
  secrets: SecretFinding[];
  captured: [string, number][];
}

export class DiskLayerCache implements LayerCache {
  constructor(private readonly dir: string) {}

  private file(diffId: string, key: string): string {
    const name = createHash('sha256').update(`${FORMAT}\0${diffId}\0${key}`).digest('hex');
    return join(this.dir, 'layers', name.slice(0, 2), `${name}.bin`);
  }

  async get(diffId: string, key: string): Promise<CachedLayer | undefined> {
    let raw: Buffer;
    try {
      raw = await readFile(this.file(diffId, key));
    } catch {
      return undefined;
    }
    try {
      const headerLength = raw.readUInt32BE(0);
      const header = JSON.parse(raw.subarray(4, 4 + headerLength).toString('utf8')) as Header;
      if (header.format !== FORMAT || header.diffId !== diffId || header.key !== key) return undefined;
      const captured = new Map<string, Buffer>();
      let offset = 4 + headerLength;
      for (const [path, length] of header.captured) {
        captured.set(path, raw.subarray(offset, offset + length));
        offset += length;
      }
      if (offset !== raw.length) return undefined; // truncated or padded: ignore, it will be rebuilt
      return {
        index: header.index,
        analysis: { diffId, captured, digests: new Map(header.digests), secrets: header.secrets },
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
      captured: captured.map(([path, content]) => [path, content.length]),
    };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    const target = this.file(diffId, key);
    const dir = join(target, '..');
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, Buffer.concat([length, json, ...captured.map(([, c]) => c)]));
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
