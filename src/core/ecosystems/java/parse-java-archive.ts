import { posix } from 'node:path';
import { PackageURL } from 'packageurl-js';
import type { Entry, ZipFile } from 'yauzl';
import type { FileInput, ParseContext, ParsedPackage, ParseResult } from '../types.js';
import { parseManifest, parsePomCoordinates, parsePomLicenses, parseProperties } from './parse-manifest.js';
import { EntryTooLarge, forEachEntry, openZip, readEntry } from './zip-reader.js';

export interface JavaArchiveLimits {
  /** Archives inside archives are followed this many levels deep. */
  maxDepth: number;
  /** A nested archive larger than this (uncompressed) is not loaded into memory. */
  maxNestedBytes: number;
  /** Total bytes inflated for one top-level file, all levels together (zip-bomb guard). */
  maxTotalBytes: number;
  /** Cap for metadata files (pom.properties, pom.xml, MANIFEST.MF). */
  maxMetadataBytes: number;
  /** Total entries visited for one top-level file. */
  maxEntries: number;
}

export const DEFAULT_JAVA_LIMITS: Readonly<JavaArchiveLimits> = Object.freeze({
  maxDepth: 4,
  maxNestedBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxMetadataBytes: 1024 * 1024,
  maxEntries: 200_000,
});

const NESTED_ARCHIVE = /\.(jar|war|ear|par|sar|jpi|hpi)$/i;
const POM_FILE = /^META-INF\/maven\/([^/]+)\/([^/]+)\/(pom\.properties|pom\.xml)$/;

interface Walk {
  path: string;
  limits: JavaArchiveLimits;
  result: ParseResult;
  inflated: number;
  entries: number;
}

interface Level {
  poms: Map<string, { properties?: Map<string, string>; xml?: string }>;
  manifest?: Map<string, string>;
  /** Packages identified in archives directly inside this one. */
  children: ParsedPackage[];
}

function javaPackage(
  groupId: string,
  artifactId: string,
  version: string,
  metadata: Record<string, unknown>,
  licenses: string[] = [],
): ParsedPackage {
  const purl = new PackageURL('maven', groupId, artifactId, version, undefined, undefined).toString();
  return { name: artifactId, version, type: 'java', purl, licenses, metadata: { ...metadata, groupId } };
}

/**
 * A jar without Maven metadata: its group is unknown, and guessing one gives wrong
 * coordinates (`org.apache:commons-logging` from the vendor id). A Maven PURL needs a group,
 * so the PURL is generic; the groups the manifest hints at are kept for matching, which tries
 * them with lower confidence (src/core/matching/namespaces.ts).
 */
function groupUnknownPackage(
  artifactId: string,
  version: string,
  manifest: Map<string, string> | undefined,
  metadata: Record<string, unknown>,
): ParsedPackage {
  const purl = new PackageURL('generic', undefined, artifactId, version, undefined, undefined).toString();
  return {
    name: artifactId,
    version,
    type: 'java',
    purl,
    licenses: [],
    metadata: { ...metadata, groupIdCandidates: groupHints(artifactId, manifest) },
  };
}

/**
 * Groups a jar's manifest points at: the OSGi symbolic name and the module name with their
 * last segments dropped (`org.apache.commons.logging` → `org.apache.commons`, `org.apache`),
 * the vendor id, and the artifact itself (old artifacts such as `commons-logging:commons-logging`
 * use it as their group).
 */
export function groupHints(artifactId: string, manifest: Map<string, string> | undefined): string[] {
  const out = new Set<string>();
  for (const key of ['Bundle-SymbolicName', 'Automatic-Module-Name']) {
    const segments = manifest?.get(key)?.split(';')[0]?.trim().split('.') ?? [];
    for (let n = segments.length - 1; n >= 2; n--) out.add(segments.slice(0, n).join('.'));
  }
  const vendor = manifest?.get('Implementation-Vendor-Id')?.trim();
  if (vendor) out.add(vendor);
  out.add(artifactId);
  return [...out].filter((g) => /^[\w.-]+$/.test(g));
}

async function readMetadata(
  zip: ZipFile,
  entry: Entry,
  walk: Walk,
  where: string,
): Promise<string | undefined> {
  try {
    const data = await readEntry(zip, entry, walk.limits.maxMetadataBytes);
    walk.inflated += data.length;
    return data.toString('utf8');
  } catch (err) {
    walk.result.problems.push(`${where}!/${entry.fileName}: ${(err as Error).message}`);
    return undefined;
  }
}

/** Packages this archive level declares: pom.properties first, pom.xml next, manifest last. */
function identify(level: Level, virtualPath: string): ParsedPackage[] {
  const out: ParsedPackage[] = [];
  const base = { path: virtualPath.split('!/')[0], virtualPath };
  for (const [dir, pom] of level.poms) {
    // Maven writes META-INF/maven/<groupId>/<artifactId>/: the group when the files omit it.
    const dirGroup = dir.split('/')[2] as string;
    const props = pom.properties;
    const licenses = pom.xml === undefined ? [] : parsePomLicenses(pom.xml);
    const artifactId = props?.get('artifactId');
    const version = props?.get('version');
    if (artifactId !== undefined && artifactId !== '' && version !== undefined && version !== '') {
      out.push(
        javaPackage(
          props?.get('groupId') || dirGroup,
          artifactId,
          version,
          { ...base, evidence: `${dir}/pom.properties`, confidence: 'high' },
          licenses,
        ),
      );
      continue;
    }
    const coords = pom.xml === undefined ? {} : parsePomCoordinates(pom.xml);
    // Unresolved `${...}` placeholders would need the parent POM; skip rather than guess.
    if (coords.artifactId !== undefined && coords.version !== undefined && !coords.version.includes('${')) {
      out.push(
        javaPackage(
          coords.groupId ?? dirGroup,
          coords.artifactId,
          coords.version,
          { ...base, evidence: `${dir}/pom.xml`, confidence: 'medium' },
          licenses,
        ),
      );
    }
  }
  if (out.length > 0) return out;
  const mf = level.manifest;
  const stem = posix.basename(virtualPath).replace(NESTED_ARCHIVE, '');
  const fromName = /^(.+?)-(\d[\w.+-]*)$/.exec(stem);
  const symbolic = mf?.get('Bundle-SymbolicName')?.split(';')[0]?.trim();
  const name = mf?.get('Implementation-Title') || symbolic || fromName?.[1] || stem;
  const version =
    mf?.get('Implementation-Version') ||
    mf?.get('Bundle-Version') ||
    mf?.get('Specification-Version') ||
    fromName?.[2];
  if (name === '' || version === undefined || version === '') return out;
  // Names from manifests are display titles, often with spaces; the PURL needs the artifact form.
  const artifact = /^[\w.-]+$/.test(name) ? name : (fromName?.[1] ?? stem);
  const evidence =
    mf !== undefined && (mf.get('Implementation-Version') || mf.get('Bundle-Version'))
      ? 'META-INF/MANIFEST.MF'
      : 'file name';
  out.push(groupUnknownPackage(artifact, version, mf, { ...base, evidence, confidence: 'low' }));
  return out;
}

async function scanArchive(
  buffer: Buffer,
  virtualPath: string,
  depth: number,
  walk: Walk,
): Promise<ParsedPackage[]> {
  let zip: ZipFile;
  try {
    zip = await openZip(buffer);
  } catch (err) {
    walk.result.problems.push(`${virtualPath}: not a readable zip archive: ${(err as Error).message}`);
    return [];
  }
  const level: Level = { poms: new Map(), children: [] };
  const { limits, result } = walk;
  try {
    await forEachEntry(zip, async (entry) => {
      if (++walk.entries > limits.maxEntries)
        throw new EntryTooLarge(`more than ${limits.maxEntries} entries`);
      const name = entry.fileName;
      const pom = POM_FILE.exec(name);
      if (pom !== null) {
        const dir = `META-INF/maven/${pom[1]}/${pom[2]}`;
        const text = await readMetadata(zip, entry, walk, virtualPath);
        if (text === undefined) return;
        const slot = level.poms.get(dir) ?? {};
        if (pom[3] === 'pom.properties') slot.properties = parseProperties(text);
        else slot.xml = text;
        level.poms.set(dir, slot);
      } else if (name === 'META-INF/MANIFEST.MF') {
        const text = await readMetadata(zip, entry, walk, virtualPath);
        if (text !== undefined) level.manifest = parseManifest(text);
      } else if (NESTED_ARCHIVE.test(name) && !name.endsWith('/')) {
        const where = `${virtualPath}!/${name}`;
        if (depth + 1 > limits.maxDepth)
          return void result.problems.push(
            `${where}: nested deeper than ${limits.maxDepth} archives; skipped`,
          );
        const remaining = limits.maxTotalBytes - walk.inflated;
        const cap = Math.min(limits.maxNestedBytes, remaining);
        let inner: Buffer;
        try {
          inner = await readEntry(zip, entry, cap);
        } catch (err) {
          if (!(err instanceof EntryTooLarge)) throw err;
          result.problems.push(`${where}: skipped: ${err.message}`);
          return;
        }
        walk.inflated += inner.length;
        level.children.push(...(await scanArchive(inner, where, depth + 1, walk)));
      }
    });
  } catch (err) {
    result.problems.push(
      `${virtualPath}: ${err instanceof EntryTooLarge ? 'stopped' : 'corrupt archive'}: ${(err as Error).message}`,
    );
  }
  let own: ParsedPackage[] = [];
  try {
    own = identify(level, virtualPath);
  } catch (err) {
    // PackageURL rejects coordinates with characters a PURL cannot hold.
    result.problems.push(`${virtualPath}: unusable coordinates: ${(err as Error).message}`);
  }
  if (own.length === 0)
    result.problems.push(`${virtualPath}: no Maven coordinates, manifest version or versioned file name`);
  result.packages.push(...own);
  for (const parent of own) {
    for (const child of level.children) {
      result.relationships.push({
        from: `java/${parent.name}@${parent.version}`,
        to: `java/${child.name}@${child.version}`,
        type: 'contains',
      });
    }
  }
  // Only this level's packages: the caller links them as its direct children.
  return own;
}

/** Builds a parser with explicit limits (tests use small ones to exercise the guards). */
export function javaArchiveParser(limits: JavaArchiveLimits = DEFAULT_JAVA_LIMITS) {
  return async (file: FileInput, _context: ParseContext): Promise<ParseResult> => {
    const walk: Walk = {
      path: file.path,
      limits,
      result: { packages: [], relationships: [], problems: [] },
      inflated: 0,
      entries: 0,
    };
    await scanArchive(file.contents, file.path, 0, walk);
    return walk.result;
  };
}

export const parseJavaArchive = javaArchiveParser();
