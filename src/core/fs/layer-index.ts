/**
 * One streaming pass over a layer: records every entry's metadata (never contents), the
 * whiteouts and the opaque directories. Bad entries become problems, not failures.
 */
import type { Readable } from 'node:stream';
import type { Header } from 'tar-stream';
import { baseName, joinPath, normalizeEntryPath, parentOf } from './paths.js';
import { walkLayer, type LayerRef, type WalkLimits } from './tar-walk.js';
import type { EntryType, FsProblem, LayerEntry } from './types.js';

/** A layer entry plus where it sits in its tar (its ordinal), so contents can be found again. */
export interface LayerRecord extends LayerEntry {
  readonly type: EntryType;
  readonly ordinal: number;
  readonly devMajor?: number;
  readonly devMinor?: number;
}

export interface ParsedLayer {
  /** Entries in tar order (a later duplicate wins when applied). */
  readonly records: LayerRecord[];
  /** Paths deleted from lower layers by `.wh.<name>`. */
  readonly whiteouts: string[];
  /** Directories whose lower-layer children are hidden by `.wh..wh..opq`. */
  readonly opaques: string[];
  /** Whiteouts and opaque markers as entries, for the per-layer view. */
  readonly markers: LayerEntry[];
  readonly problems: FsProblem[];
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** AUFS bookkeeping entries (`.wh..wh.plnk`, `.wh..wh.aufs`) that are neither files nor whiteouts. */
const AUFS_META_PREFIX = '.wh..wh.';

const TYPES: Readonly<Record<string, EntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

/**
 * Optional reader of file contents during the indexing pass, so callers that need bytes
 * (digests, secrets, cataloger inputs) get them without a second pass over the layer.
 */
export interface ContentVisitor {
  wants(path: string, size: number): boolean;
  /** Must consume `body` to its end; the walk waits for the returned promise. */
  visit(path: string, size: number, body: Readable): Promise<void>;
}

export async function indexLayer(
  ref: LayerRef,
  limits: WalkLimits,
  content?: ContentVisitor,
): Promise<ParsedLayer> {
  const parsed: ParsedLayer = { records: [], whiteouts: [], opaques: [], markers: [], problems: [] };
  await walkLayer(ref, limits, (header, body, ordinal, control) => {
    const before = parsed.records.length;
    addHeader(parsed, ref.index, header, ordinal);
    const record = parsed.records.length > before ? parsed.records[before] : undefined;
    if (content && record?.type === 'file' && content.wants(record.path, record.size)) {
      content.visit(record.path, record.size, body as unknown as Readable).then(control.next, control.fail);
      return;
    }
    body.on('end', control.next);
    body.resume();
  });
  return parsed;
}

function problem(
  parsed: ParsedLayer,
  layer: number,
  code: FsProblem['code'],
  path: string,
  message: string,
): void {
  parsed.problems.push({ code, layer, path, message });
}

function addHeader(parsed: ParsedLayer, layer: number, header: Header, ordinal: number): void {
  const name = header.name;
  const path = normalizeEntryPath(name);
  if (path === undefined) {
    problem(parsed, layer, 'UNSAFE_PATH', name, `entry "${name}" climbs above the image root; skipped`);
    return;
  }
  if (path === '/') return; // the root itself ("./"): nothing to record
  const mtime = header.mtime ? header.mtime.getTime() : 0;
  const base = baseName(path);
  if (base.startsWith(WHITEOUT_PREFIX)) {
    addMarker(parsed, layer, name, path, base, mtime);
    return;
  }
  const type = header.type ? TYPES[header.type] : undefined;
  if (type === undefined) {
    problem(
      parsed,
      layer,
      'UNSUPPORTED_ENTRY',
      name,
      `entry "${name}" has unsupported tar type ${String(header.type)}; skipped`,
    );
    return;
  }
  let linkTarget: string | undefined;
  if (type === 'symlink') linkTarget = header.linkname ?? '';
  if (type === 'hardlink') {
    linkTarget = normalizeEntryPath(header.linkname ?? '');
    if (linkTarget === undefined || linkTarget === '/') {
      problem(
        parsed,
        layer,
        'UNSAFE_PATH',
        name,
        `hard link "${name}" points to "${header.linkname ?? ''}", outside the image root; skipped`,
      );
      return;
    }
  }
  const record: LayerRecord = {
    path,
    type,
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    size: type === 'file' ? (header.size ?? 0) : type === 'symlink' ? Buffer.byteLength(linkTarget ?? '') : 0,
    mtime,
    layer,
    ordinal,
    ...(linkTarget === undefined ? {} : { linkTarget }),
    ...(type === 'char' || type === 'block'
      ? { devMajor: header.devmajor ?? 0, devMinor: header.devminor ?? 0 }
      : {}),
  };
  parsed.records.push(record);
}

function addMarker(
  parsed: ParsedLayer,
  layer: number,
  name: string,
  path: string,
  base: string,
  mtime: number,
): void {
  const dir = parentOf(path);
  const marker = { mode: 0, uid: 0, gid: 0, size: 0, mtime, layer };
  if (base === OPAQUE_MARKER) {
    parsed.opaques.push(dir);
    parsed.markers.push({ ...marker, path: dir, type: 'opaque' });
    return;
  }
  if (base.startsWith(AUFS_META_PREFIX)) return;
  const victim = base.slice(WHITEOUT_PREFIX.length);
  if (victim === '' || victim === '.' || victim === '..') {
    // ".wh.." would name the parent directory (or the root): never a valid deletion.
    problem(parsed, layer, 'UNSAFE_PATH', name, `whiteout "${name}" names no file; ignored`);
    return;
  }
  const target = joinPath(dir, victim);
  parsed.whiteouts.push(target);
  parsed.markers.push({ ...marker, path: target, type: 'whiteout' });
}
