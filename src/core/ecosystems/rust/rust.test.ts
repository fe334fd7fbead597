import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostContext, nameVersions } from '../npm/test-support/host-fs.js';
import { parseCargoAuditable } from './parse-auditable.js';
import { parseCargoLock } from './parse-cargo-lock.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'portcullis-rust-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function crate(name: string, version: string, deps: string): Promise<void> {
  const root = join(dir, 'ws', name);
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(
    join(root, 'Cargo.toml'),
    `[package]\nname = "${name.replace(/-v\d$/, '')}"\nversion = "${version}"\nedition = "2021"\n\n[dependencies]\n${deps}`,
  );
  await writeFile(join(root, 'src', 'lib.rs'), '');
}

describe('Cargo.lock against cargo metadata', () => {
  it('a lockfile written by cargo (path crates, two versions of one crate) equals cargo metadata', async () => {
    await crate('util-v1', '0.1.0', '');
    await crate('util-v2', '0.2.0', '');
    await crate('core-lib', '1.3.0', 'util = { path = "../util-v2" }\n');
    await crate(
      'app',
      '2.0.0',
      'core-lib = { path = "../core-lib" }\nold-util = { package = "util", path = "../util-v1" }\n',
    );
    const manifest = join(dir, 'ws', 'app', 'Cargo.toml');
    const env = { ...process.env, CARGO_HOME: join(dir, 'cargo-home'), CARGO_NET_OFFLINE: 'true' };
    execFileSync('cargo', ['generate-lockfile', '--offline', '--manifest-path', manifest], {
      env,
      stdio: 'pipe',
    });
    const meta = JSON.parse(
      execFileSync('cargo', ['metadata', '--offline', '--format-version', '1', '--manifest-path', manifest], {
        env,
        encoding: 'utf8',
      }),
    ) as {
      packages: { name: string; version: string }[];
    };
    const truth = meta.packages.map((p) => `${p.name}@${p.version}`).sort();
    expect(truth).toEqual(['app@2.0.0', 'core-lib@1.3.0', 'util@0.1.0', 'util@0.2.0']);

    const path = join(dir, 'ws', 'app', 'Cargo.lock');
    const result = await parseCargoLock({ path, contents: await readFile(path) }, hostContext());
    expect(result.problems).toEqual([]);
    expect(nameVersions(result)).toEqual(truth);
    expect(result.relationships).toContainEqual({
      from: 'rust/core-lib@1.3.0',
      to: 'rust/util@0.2.0',
      type: 'depends-on',
    });
    expect(result.relationships).toContainEqual({
      from: 'rust/app@2.0.0',
      to: 'rust/util@0.1.0',
      type: 'depends-on',
    });
    expect(result.packages.find((p) => p.name === 'app')?.purl).toBe('pkg:cargo/app@2.0.0');
  });

  it('reads registry entries with source and checksum (format from the Cargo.lock spec)', async () => {
    const text = `version = 3

[[package]]
name = "serde"
version = "1.0.188"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "cf9e0fcba69a370eed61bcf2b728575f726b50b55cba78064753d708ddc7549e"
dependencies = [
 "serde_derive",
]

[[package]]
name = "serde_derive"
version = "1.0.188"
source = "registry+https://github.com/rust-lang/crates.io-index"
`;
    const result = await parseCargoLock(
      { path: '/src/Cargo.lock', contents: Buffer.from(text) },
      hostContext(),
    );
    expect(result.packages[0]?.metadata).toMatchObject({
      source: 'registry+https://github.com/rust-lang/crates.io-index',
    });
    expect(result.relationships).toEqual([
      { from: 'rust/serde@1.0.188', to: 'rust/serde_derive@1.0.188', type: 'depends-on' },
    ]);
  });

  it.each([
    ['invalid TOML', '[[package]\nname = '],
    ['wrong shape', '[[package]]\nname = 3\n'],
  ])('%s is a recorded problem', async (_label, text) => {
    const result = await parseCargoLock(
      { path: '/src/Cargo.lock', contents: Buffer.from(text) },
      hostContext(),
    );
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('/src/Cargo.lock');
  });
});

describe('cargo-auditable data in ELF binaries', () => {
  /** A real ELF (coreutils' true) with a `.dep-v0` section added by objcopy, as cargo-auditable's linker step does. */
  async function auditableBinary(payload: Buffer): Promise<string> {
    const section = join(dir, `dep-${Math.random().toString(36).slice(2)}`);
    const binary = `${section}.bin`;
    await writeFile(section, payload);
    await copyFile('/usr/bin/true', binary);
    execFileSync('objcopy', ['--add-section', `.dep-v0=${section}`, binary]);
    return binary;
  }

  it('reads the packages and dependency edges (format from the cargo-auditable spec)', async () => {
    const data = {
      packages: [
        { name: 'myapp', version: '0.1.0', source: 'local', dependencies: [1, 2], root: true },
        { name: 'serde', version: '1.0.188', source: 'crates.io' },
        { name: 'cc', version: '1.0.83', source: 'crates.io', kind: 'build' },
      ],
    };
    const binary = await auditableBinary(deflateSync(JSON.stringify(data)));
    expect(execFileSync('readelf', ['-S', binary], { encoding: 'utf8' })).toContain('.dep-v0');
    const result = await parseCargoAuditable(
      { path: binary, contents: await readFile(binary) },
      hostContext(),
    );
    expect(nameVersions(result)).toEqual(['cc@1.0.83', 'myapp@0.1.0', 'serde@1.0.188']);
    expect(result.relationships).toContainEqual({
      from: 'rust/myapp@0.1.0',
      to: 'rust/cc@1.0.83',
      type: 'depends-on',
    });
    expect(result.packages.find((p) => p.name === 'cc')?.metadata.kind).toBe('build');
  });

  it('a decompression bomb in .dep-v0 is a recorded problem', async () => {
    const binary = await auditableBinary(deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20)));
    const result = await parseCargoAuditable(
      { path: binary, contents: await readFile(binary) },
      hostContext(),
    );
    expect(result.packages).toEqual([]);
    expect(result.problems[0]).toContain('unreadable .dep-v0');
  });

  it('garbage in .dep-v0 is a recorded problem; binaries without it give nothing', async () => {
    const binary = await auditableBinary(Buffer.from('not zlib'));
    const bad = await parseCargoAuditable({ path: binary, contents: await readFile(binary) }, hostContext());
    expect(bad.problems[0]).toContain(binary);
    const plain = await parseCargoAuditable(
      { path: '/usr/bin/true', contents: await readFile('/usr/bin/true') },
      hostContext(),
    );
    expect(plain).toEqual({ packages: [], relationships: [], problems: [] });
  });
});
