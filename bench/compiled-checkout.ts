/**
 * The compiled build of a checkout, as `portcullis` runs it: bin/portcullis.js runs dist/, which
 * `npm ci` builds. Hot-path benchmarks measure that build, not tsx's transform of the sources:
 * tsx compiles with esbuild's keep-names, which wraps every function it defines in a naming call,
 * and closures made in a loop pay for it on every iteration (a 1,000-package match ran about a
 * fifth slower through tsx). Each checkout is compiled with its own tsconfig.build.json into
 * node_modules/.cache, in a folder named by a hash of its sources: an unchanged checkout is not
 * compiled again, and a changed one can never be measured from a stale build.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Every file the build reads: the sources and the settings that shape the output. */
async function sourceHash(root: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) hash.update(`${relative(root, path)}\0`).update(await readFile(path));
    }
  };
  await walk(join(root, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'])
    hash.update(`${file}\0`).update(await readFile(join(root, file)));
  return hash.digest('hex').slice(0, 16);
}

function tsc(root: string, outDir: string): Promise<void> {
  const compiler = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [compiler, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`tsc for ${root} exited ${code}`)),
    );
  });
}

const builds = new Map<string, Promise<string>>();

/** The folder holding `root`'s compiled src/ (dist/ layout), built once per source state. */
export function compiledRoot(root: string): Promise<string> {
  let build = builds.get(root);
  if (build === undefined) {
    build = (async () => {
      const cache = join(root, 'node_modules', '.cache', 'portcullis-bench');
      const dir = join(cache, `dist-${await sourceHash(root)}`);
      if (existsSync(dir)) return dir;
      await mkdir(cache, { recursive: true });
      // Built aside and renamed: an interrupted build never passes for a finished one.
      const partial = `${dir}.partial-${process.pid}`;
      await rm(partial, { recursive: true, force: true });
      process.stderr.write(`compiling ${root} for the benchmarks...\n`);
      await tsc(root, partial);
      try {
        await rename(partial, dir);
      } catch (err) {
        // Another bench process finished the same build first: use that one.
        if (!existsSync(dir)) throw err;
        await rm(partial, { recursive: true, force: true });
      }
      return dir;
    })();
    builds.set(root, build);
  }
  return build;
}

/** A module of `root`'s compiled build, by its path under src/ (`store/sql.js`). */
export async function importCompiled<T>(root: string, path: string): Promise<T> {
  return (await import(pathToFileURL(join(await compiledRoot(root), path)).href)) as T;
}
