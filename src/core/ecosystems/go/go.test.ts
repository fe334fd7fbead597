import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostContext } from '../npm/test-support/host-fs.js';
import { parseGoBinary } from './parse-go-binary.js';
import { parseGoMod } from './parse-go-mod.js';
import { goVersionM } from './test-support/go-version-m.js';

const parse = async (path: string, contents?: Buffer) =>
  parseGoBinary({ path, contents: contents ?? (await readFile(path)) }, hostContext());
const modules = (r: Awaited<ReturnType<typeof parse>>) =>
  r.packages
    .filter((p) => p.name !== 'stdlib')
    .map((p) => `${p.name}@${p.version}`)
    .sort();

describe('go binaries against go version -m', () => {
  it("Debian's fzf: stdlib version and (absent) modules equal go version -m", async () => {
    const truth = goVersionM('/usr/bin/fzf');
    const result = await parse('/usr/bin/fzf');
    expect(result.problems).toEqual([]);
    expect(modules(result)).toEqual(truth.modules);
    const stdlib = result.packages.find((p) => p.name === 'stdlib');
    expect(`go${stdlib?.version}`).toBe(truth.goVersion);
    expect(stdlib?.purl).toBe(`pkg:golang/stdlib@${truth.goVersion.replace(/^go/, '')}`);
  });

  describe('a module-mode build with versioned and local replacements', () => {
    let dir: string;
    let binary: string;

    /** A module zip in GOPROXY file layout: paths prefixed with `module@version/`. */
    async function publish(
      proxy: string,
      module: string,
      version: string,
      files: Record<string, string>,
    ): Promise<void> {
      const base = join(proxy, module, '@v');
      await mkdir(base, { recursive: true });
      await writeFile(join(base, 'list'), `${version}\n`, { flag: 'a' });
      await writeFile(
        join(base, `${version}.info`),
        JSON.stringify({ Version: version, Time: '2024-01-01T00:00:00Z' }),
      );
      await writeFile(join(base, `${version}.mod`), files['go.mod'] ?? '');
      const src = join(dir, 'zipsrc', `${module}@${version}`);
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(src, name)), { recursive: true });
        await writeFile(join(src, name), text);
      }
      execFileSync('/usr/bin/python3', [
        '-c',
        'import sys, zipfile, os\nz = zipfile.ZipFile(sys.argv[1], "w")\nos.chdir(sys.argv[2])\nfor r, _, fs in os.walk(sys.argv[3]):\n  for f in fs: z.write(os.path.join(r, f))\nz.close()',
        join(base, `${version}.zip`),
        join(dir, 'zipsrc'),
        `${module}@${version}`,
      ]);
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'portcullis-go-'));
      const proxy = join(dir, 'proxy');
      await publish(proxy, 'example.com/lib', 'v1.2.3', {
        'go.mod': 'module example.com/lib\n\ngo 1.19\n',
        'lib.go': 'package lib\n\nfunc A() string { return "a" }\n',
      });
      await publish(proxy, 'example.com/fork', 'v1.4.0', {
        'go.mod': 'module example.com/fork\n\ngo 1.19\n',
        'fork.go': 'package fork\n\nfunc B() string { return "b" }\n',
      });
      await mkdir(join(dir, 'local'), { recursive: true });
      await writeFile(join(dir, 'local', 'go.mod'), 'module example.com/local\n\ngo 1.19\n');
      await writeFile(join(dir, 'local', 'l.go'), 'package local\n\nfunc C() string { return "c" }\n');
      await mkdir(join(dir, 'app'), { recursive: true });
      await writeFile(
        join(dir, 'app', 'go.mod'),
        [
          'module example.com/app',
          'go 1.19',
          'require (',
          '\texample.com/lib v1.2.3',
          '\texample.com/orig v1.0.0 // indirect',
          '\texample.com/local v0.0.0-00010101000000-000000000000',
          ')',
          'replace example.com/orig => example.com/fork v1.4.0',
          'replace example.com/local => ../local',
          '',
        ].join('\n'),
      );
      await writeFile(
        join(dir, 'app', 'main.go'),
        'package main\n\nimport (\n\t"example.com/lib"\n\tfork "example.com/orig"\n\t"example.com/local"\n)\n\nfunc main() { println(lib.A() + fork.B() + local.C()) }\n',
      );
      binary = join(dir, 'app', 'app');
      const env = {
        ...process.env,
        GOPROXY: `file://${proxy}`,
        GOSUMDB: 'off',
        GOFLAGS: '-mod=mod',
        GOCACHE: join(dir, 'cache'),
        GOMODCACHE: join(dir, 'modcache'),
        GOPATH: join(dir, 'gopath'),
        GOTOOLCHAIN: 'local',
      };
      execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(dir, 'app'), env, stdio: 'pipe' });
    }, 180_000);
    afterAll(async () => {
      // the module cache is read-only by design; make it removable
      execFileSync('chmod', ['-R', 'u+w', dir]);
      await rm(dir, { recursive: true, force: true });
    });

    it('modules, replacements and the (devel) main module equal go version -m', async () => {
      const truth = goVersionM(binary);
      expect(truth.modules.length).toBe(4);
      const result = await parse(binary);
      expect(result.problems).toEqual([]);
      expect(modules(result)).toEqual(truth.modules);
      const main = result.packages.find((p) => p.metadata.mainModule === true);
      expect(main).toMatchObject({ name: 'example.com/app', version: '(devel)' });
      expect(main?.metadata.devel).toBe(true);
      expect((main?.metadata.buildSettings as Record<string, string>).GOOS).toBe('linux');
      const fork = result.packages.find((p) => p.name === 'example.com/fork');
      expect(fork?.purl).toBe('pkg:golang/example.com/fork@v1.4.0');
      expect(result.relationships).toContainEqual({
        from: 'go/example.com/app@(devel)',
        to: 'go/example.com/lib@v1.2.3',
        type: 'depends-on',
      });
    });

    it('go.mod of the same tree lists the requirements with replacements applied', async () => {
      const path = join(dir, 'app', 'go.mod');
      const result = await parseGoMod({ path, contents: await readFile(path) }, hostContext());
      const list = JSON.parse(execFileSync('go', ['mod', 'edit', '-json', path], { encoding: 'utf8' })) as {
        Require: { Path: string; Version: string }[];
        Replace: { Old: { Path: string }; New: { Path: string; Version?: string } }[];
      };
      const truth = list.Require.map((r) => {
        const rep = list.Replace.find((x) => x.Old.Path === r.Path);
        return rep?.New.Version !== undefined
          ? `${rep.New.Path}@${rep.New.Version}`
          : `${r.Path}@${r.Version}`;
      }).sort();
      expect(
        result.packages
          .filter((p) => p.metadata.mainModule !== true)
          .map((p) => `${p.name}@${p.version}`)
          .sort(),
      ).toEqual(truth);
    });
  });
});

describe('go binary bad input', () => {
  it.each([
    ['not ELF', Buffer.from('#!/bin/sh\necho hi\n')],
    ['empty', Buffer.alloc(0)],
  ])('%s gives nothing', async (_label, bytes) => {
    expect(await parse('/usr/bin/x', bytes)).toEqual({ packages: [], relationships: [], problems: [] });
  });

  it('a truncated Go binary (header present, strings cut) yields no packages and does not throw', async () => {
    const real = await readFile('/usr/bin/fzf');
    const magic = real.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    const cut = real.subarray(0, magic + 40);
    const result = await parse('/usr/bin/cut', cut);
    expect(result.packages).toEqual([]);
  });

  it('an ELF with garbage section headers falls back to scanning and copes', async () => {
    const real = Buffer.from(await readFile('/usr/bin/fzf'));
    real.writeBigUInt64LE(BigInt(real.length * 4), 0x28); // e_shoff beyond the file
    const result = await parse('/usr/bin/fzf-broken', real);
    expect(result.packages.map((p) => p.name)).toEqual(['stdlib']);
  });
});
