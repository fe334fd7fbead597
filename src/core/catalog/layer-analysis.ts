/**
 * What Portcullis learns from one layer's bytes, computed in the same streaming pass that
 * indexes the layer, and cached by diffID (layer-cache.ts): file digests, secret findings,
 * and the contents of the few files catalogers need (every version of them, so the layer of
 * origin and the all-layers scope need no second pass).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import type { SecretFinding } from '../sbom/document.js';
import { looksBinary, scanContent, type SecretScanOptions } from '../secrets/scan.js';
import { basenamePrefilter } from './glob-prefilter.js';
import type { SecretRule } from '../secrets/rules.js';
import {
  CONTENT_SEARCH_LIMITS,
  searchContent,
  type ContentMatchRecord,
  type ContentSearchRule,
} from '../secrets/content-search.js';

export interface LayerAnalysis {
  diffId: string;
  /** path → contents, for files matched by a cataloger glob or prefetch glob. */
  captured: Map<string, Buffer>;
  /** path → sha256 hex, for regular files up to `digestMaxBytes`. */
  digests: Map<string, string>;
  /** Secret findings in this layer's files (paths as in this layer). */
  secrets: SecretFinding[];
  /** Content-search (named regex) matches in this layer's files. */
  contentMatches: ContentMatchRecord[];
}

/** Files whose contents are kept for catalogers: a glob, and optionally a test on the bytes. */
export interface CaptureRule {
  globs: readonly string[];
  keep?: (contents: Buffer) => boolean;
}

export interface AnalyzerOptions {
  captureRules: readonly CaptureRule[];
  /** Largest file kept for catalogers (jars can be large; bounded). */
  captureMaxBytes: number;
  /** Largest file hashed; 0 = no digests. */
  digestMaxBytes: number;
  secrets?: { rules: readonly SecretRule[]; options: SecretScanOptions };
  contentSearch?: readonly ContentSearchRule[];
}

/** Per-layer content visitor: feed it each regular file's body, then take `result`. */
export class LayerAnalyzer {
  readonly result: LayerAnalysis;
  private readonly rules: {
    match: (path: string) => boolean;
    /** Cheap base-name test run before picomatch (absent: globs too clever to pre-filter). */
    pre?: (base: string) => boolean;
    keep?: (contents: Buffer) => boolean;
  }[];

  constructor(
    diffId: string,
    private readonly options: AnalyzerOptions,
  ) {
    this.result = { diffId, captured: new Map(), digests: new Map(), secrets: [], contentMatches: [] };
    this.rules = options.captureRules
      .filter((r) => r.globs.length > 0)
      .map((r) => {
        const pre = basenamePrefilter(r.globs);
        return {
          match: picomatch([...r.globs], { dot: true }),
          ...(pre ? { pre } : {}),
          ...(r.keep ? { keep: r.keep } : {}),
        };
      });
  }

  /** Rules whose globs match `path` (empty: not a cataloger input). */
  private capturing(path: string, size: number) {
    if (size > this.options.captureMaxBytes) return [];
    const base = path.slice(path.lastIndexOf('/') + 1);
    return this.rules.filter((r) => (!r.pre || r.pre(base)) && r.match(path));
  }

  private searching(size: number): boolean {
    return (this.options.contentSearch?.length ?? 0) > 0 && size <= CONTENT_SEARCH_LIMITS.maxFileBytes;
  }

  /** Whether the body of a file of this size must be read at all. */
  wants(path: string, size: number): boolean {
    return (
      size <= this.options.digestMaxBytes ||
      this.capturing(path, size).length > 0 ||
      (this.options.secrets !== undefined && size <= this.options.secrets.options.maxFileBytes) ||
      this.searching(size)
    );
  }

  /** Consumes one file body; resolves when it has been read to the end. */
  async visit(path: string, size: number, body: Readable): Promise<void> {
    const hash = size <= this.options.digestMaxBytes ? createHash('sha256') : undefined;
    const rules = this.capturing(path, size);
    let keep =
      rules.length > 0 ||
      (this.options.secrets !== undefined && size <= this.options.secrets.options.maxFileBytes) ||
      this.searching(size);
    const chunks: Buffer[] = [];
    let first = true;
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      hash?.update(buf);
      // Kept only for the secret scan, which skips binaries (a NUL in the first 8 KiB): a NUL
      // in the first chunk already decides it, so the rest of the body is not buffered.
      if (first && keep && rules.length === 0 && looksBinary(buf)) keep = false;
      first = false;
      if (keep) chunks.push(buf);
    }
    if (hash) this.result.digests.set(path, hash.digest('hex'));
    if (!keep) return;
    const content = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    if (rules.some((r) => !r.keep || r.keep(content))) this.result.captured.set(path, content);
    if (this.options.secrets) {
      const { findings } = scanContent(
        path,
        content,
        this.options.secrets.rules,
        this.options.secrets.options,
      );
      for (const f of findings) this.result.secrets.push({ ...f, layerDiffId: this.result.diffId });
    }
    if (this.options.contentSearch?.length) {
      for (const m of searchContent(path, content, this.options.contentSearch)) {
        this.result.contentMatches.push({ ...m, layerDiffId: this.result.diffId });
      }
    }
  }
}
