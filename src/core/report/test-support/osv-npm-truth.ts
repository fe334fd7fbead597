/**
 * Ground truth for the npm findings of the app fixture, computed independently of the feed
 * driver and the matcher: the raw OSV records read straight from the zip with yauzl, each
 * affected range turned into an npm range string and evaluated with the `semver` package
 * against the version in the fixture's own node_modules/<name>/package.json.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import yauzl from 'yauzl';

export const NPM_PACKAGES = ['minimist', 'node-fetch', 'jsonwebtoken'] as const;

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
  limit?: string;
}

interface OsvRecord {
  id: string;
  withdrawn?: string;
  affected?: {
    package?: { ecosystem?: string; name?: string };
    ranges?: { type: string; events: OsvEvent[] }[];
    versions?: string[];
  }[];
}

function readZipJson(file: string): Promise<OsvRecord[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const records: OsvRecord[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('.json')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OsvRecord);
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(records));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** OSV events in order → `>=a <b || >=c <=d || >=e` (introduced "0" = from the start). */
export function rangeString(events: readonly OsvEvent[]): string {
  const parts: string[] = [];
  let lower: string | undefined;
  for (const e of events) {
    if (e.introduced !== undefined) {
      if (lower !== undefined) parts.push(`>=${lower}`);
      lower = e.introduced === '0' ? '0.0.0-0' : e.introduced;
    } else if (e.fixed !== undefined && lower !== undefined) {
      parts.push(`>=${lower} <${e.fixed}`);
      lower = undefined;
    } else if (e.last_affected !== undefined && lower !== undefined) {
      parts.push(`>=${lower} <=${e.last_affected}`);
      lower = undefined;
    } else if (e.limit !== undefined && lower !== undefined) {
      parts.push(`>=${lower} <${e.limit}`);
      lower = undefined;
    }
  }
  if (lower !== undefined) parts.push(`>=${lower}`);
  return parts.join(' || ');
}

/** Package name → ids of the OSV records whose ranges or versions contain the installed version. */
export async function npmGroundTruth(zipFile: string, rootfs: string): Promise<Map<string, Set<string>>> {
  const installed = new Map<string, string>();
  for (const name of NPM_PACKAGES) {
    const manifest = JSON.parse(
      await readFile(join(rootfs, 'app/node_modules', name, 'package.json'), 'utf8'),
    ) as { version: string };
    installed.set(name, manifest.version);
  }
  const truth = new Map<string, Set<string>>(NPM_PACKAGES.map((n) => [n, new Set<string>()]));
  for (const record of await readZipJson(zipFile)) {
    if (record.withdrawn) continue;
    for (const affected of record.affected ?? []) {
      const name = affected.package?.name;
      const version = name === undefined ? undefined : installed.get(name);
      if (affected.package?.ecosystem !== 'npm' || name === undefined || version === undefined) continue;
      const hit =
        (affected.versions ?? []).includes(version) ||
        (affected.ranges ?? []).some(
          (r) =>
            (r.type === 'SEMVER' || r.type === 'ECOSYSTEM') &&
            semver.satisfies(version, rangeString(r.events), { includePrerelease: true }),
        );
      if (hit) truth.get(name)?.add(record.id);
    }
  }
  return truth;
}
