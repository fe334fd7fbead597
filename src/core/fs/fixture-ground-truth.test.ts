/**
 * Ground truth: for every fixture image, `portcullis image files -o json` must describe
 * exactly the tree `umoci unpack` wrote to disk (walked here with lstat), and name as layer
 * of origin the topmost layer whose tar lists the path (listed here with GNU tar).
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { FIXTURE_NAMES, getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';

interface Row {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget?: string;
  layer: { index: number; diffId: string };
  layers: number[];
}

const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

/** Runs the CLI in-process and returns what it printed on stdout. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await main(args);
    return { code, stdout: chunks.join('') };
  } finally {
    process.stdout.write = write;
  }
}

interface DiskEntry {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget?: string;
}

async function walk(root: string, rel = ''): Promise<Map<string, DiskEntry>> {
  const out = new Map<string, DiskEntry>();
  for (const name of await readdir(join(root, rel))) {
    const path = `${rel}/${name}`;
    const st = await lstat(join(root, path));
    const type = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isCharacterDevice()
            ? 'char'
            : st.isBlockDevice()
              ? 'block'
              : st.isFIFO()
                ? 'fifo'
                : 'other';
    out.set(path, {
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: type === 'file' || type === 'symlink' ? st.size : 0,
      ...(type === 'symlink' ? { linkTarget: await readlink(join(root, path)) } : {}),
    });
    if (type === 'dir') for (const [p, e] of await walk(root, path)) out.set(p, e);
  }
  return out;
}

/** Paths each layer's tar lists, by GNU tar (whiteout markers left out). */
function tarListings(fixture: FixtureImage): Set<string>[] {
  return fixture.hostManifest.layers.map((layer) => {
    const blob = join(fixture.ociLayoutDir, 'blobs', ...layer.digest.split(':'));
    const names = execFileSync('tar', ['--quoting-style=literal', '-tzf', blob], { maxBuffer: 1 << 28 })
      .toString()
      .split('\n')
      .filter((n) => n !== '' && !n.split('/').some((part) => part.startsWith('.wh.')));
    return new Set(names.map((n) => `/${n.replace(/^\.?\/+/, '').replace(/\/+$/, '')}`));
  });
}

describe.each(FIXTURE_NAMES)('fixture image %s', (name) => {
  it('image files -o json equals the umoci-unpacked rootfs and names the layer of origin', async () => {
    const fixture = await getFixtureImage(name);
    const cacheDir = await mkdtemp(join(tmpdir(), 'pc-fs-gt-'));
    temps.push(cacheDir);
    const { code, stdout } = await runCli([
      '--cache-dir',
      cacheDir,
      'image',
      'files',
      `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`,
      '-o',
      'json',
    ]);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as Row[];
    const disk = await walk(fixture.rootfsDir);

    // Same set of paths.
    const ours = new Map(rows.map((r) => [r.path, r]));
    expect([...ours.keys()].filter((p) => !disk.has(p))).toEqual([]);
    expect([...disk.keys()].filter((p) => !ours.has(p))).toEqual([]);

    // Same metadata; a hard link is a regular file on disk.
    const mismatches: string[] = [];
    for (const [path, d] of disk) {
      const r = ours.get(path) as Row;
      const mine = {
        type: r.type === 'hardlink' ? 'file' : r.type,
        mode: r.mode,
        uid: r.uid,
        gid: r.gid,
        size: r.type === 'dir' ? 0 : r.size,
        ...(r.type === 'symlink' ? { linkTarget: r.linkTarget } : {}),
      };
      if (JSON.stringify(mine) !== JSON.stringify(d))
        mismatches.push(`${path}: ours ${JSON.stringify(mine)} disk ${JSON.stringify(d)}`);
    }
    expect(mismatches.slice(0, 20)).toEqual([]);

    // Layer of origin = the topmost layer whose tar lists the path.
    const listings = tarListings(fixture);
    expect(listings.length).toBe(fixture.hostManifest.diffIds.length);
    const wrongLayer: string[] = [];
    for (const r of rows) {
      let top = -1;
      listings.forEach((names, i) => {
        if (names.has(r.path)) top = i;
      });
      if (top === -1) continue; // a parent no tar declared: created implicitly
      if (r.layer.index !== top || r.layer.diffId !== fixture.hostManifest.diffIds[top]) {
        wrongLayer.push(`${r.path}: ours ${r.layer.index}, tar says ${top}`);
      }
    }
    expect(wrongLayer.slice(0, 20)).toEqual([]);
  });
});

describe.each(FIXTURE_NAMES)('fixture image %s through the archive back-ends', (name) => {
  it('lists the same tree from oci-archive and docker-archive as from the OCI layout', async () => {
    const fixture = await getFixtureImage(name);
    const cacheDir = await mkdtemp(join(tmpdir(), 'pc-fs-gt-'));
    temps.push(cacheDir);
    const list = async (source: string) => {
      const { code, stdout } = await runCli([
        '--cache-dir',
        cacheDir,
        'image',
        'files',
        source,
        '-o',
        'json',
      ]);
      expect(code).toBe(0);
      return JSON.parse(stdout) as Row[];
    };
    const reference = await list(`oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`);
    expect(await list(`oci-archive:${fixture.ociArchive}`)).toEqual(reference);
    expect(await list(`docker-archive:${fixture.dockerArchive}`)).toEqual(reference);
  });
});

describe('app fixture specifics', () => {
  it('reflects its whiteouts, overwrite, opaque directory, hard link and suid binary', async () => {
    const fixture = await getFixtureImage('app');
    const cacheDir = await mkdtemp(join(tmpdir(), 'pc-fs-gt-'));
    temps.push(cacheDir);
    const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
    const { stdout } = await runCli([
      '--cache-dir',
      cacheDir,
      'image',
      'files',
      source,
      '/etc/**',
      '-o',
      'json',
    ]);
    const rows = new Map((JSON.parse(stdout) as Row[]).map((r) => [r.path, r]));
    const last = fixture.hostManifest.diffIds.length - 1;
    // Written in the recipe (test/harness/fixtures/recipes/app.ts): issue.net deleted, motd
    // overwritten by a later layer, /etc/opaque-demo hidden by an opaque layer (the last one).
    expect(rows.has('/etc/issue.net')).toBe(false);
    expect(rows.get('/etc/motd')?.layers.length).toBeGreaterThan(1);
    expect(rows.get('/etc/motd')?.layer.index).toBeLessThan(last);
    expect([...rows.keys()].filter((p) => p.startsWith('/etc/opaque-demo/'))).toEqual([
      '/etc/opaque-demo/new-file',
    ]);
    expect(rows.get('/etc/opaque-demo/new-file')?.layer.index).toBe(last);
    const table = await runCli(['--cache-dir', cacheDir, 'image', 'files', source, '/usr/local/bin/*']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^-rwsr-xr-x\s+0:0\s+\d+\s+\d+\s+\/usr\/local\/bin\/suid-true$/m);
    expect(table.stdout).toMatch(
      /\/usr\/local\/bin\/fixture-tool-hardlink -> \/usr\/local\/bin\/fixture-tool$/m,
    );
  });
});
