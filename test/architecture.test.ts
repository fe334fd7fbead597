/**
 * The dependency rule of docs/architecture.md ("Dependency rule"), checked on every import
 * under src/ and bench/. Tests and test support may import anything; benchmarks anything but
 * the CLI. A new wing under src/ needs a row here and in the document.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Folder (relative to the repository) → folders it must never import. Longest prefix wins. */
/** Everything outside the library and its options: what the core, config and store never import. */
const OUTSIDE = [
  'src/cli',
  'src/server',
  'src/worker',
  'src/queue',
  'src/main',
  'src/admission',
  'src/notifications',
  'src/archive',
  'src/ui',
  'src/chat',
  'bench',
  'test',
];

/** Folder (relative to the repository) → folders it must never import. Longest prefix wins. */
const FORBIDDEN: Record<string, readonly string[]> = {
  'src/core': [...OUTSIDE, 'src/config', 'src/store'],
  'src/config': [...OUTSIDE, 'src/store'],
  'src/store': [...OUTSIDE, 'src/config'],
  'src/queue': ['src/core', 'src/cli', 'src/server', 'src/worker', 'src/main', 'bench', 'test'],
  'src/notifications': ['src/cli', 'src/server', 'src/worker', 'src/main', 'bench', 'test'],
  'src/archive': ['src/cli', 'src/server', 'src/worker', 'src/main', 'src/queue', 'bench', 'test'],
  'src/admission': [
    'src/core/pipeline',
    'src/core/catalog',
    'src/core/matching',
    'src/cli',
    'src/worker',
    'src/main',
    'bench',
    'test',
  ],
  'src/chat': ['src/cli', 'src/server', 'src/worker', 'src/main', 'src/admission', 'bench', 'test'],
  'src/worker': ['src/server', 'src/admission', 'src/cli', 'src/main', 'bench', 'test'],
  'src/server': ['src/worker', 'src/cli', 'src/main', 'bench', 'test'],
  // The UI reaches the API through inject and the store's read models, never the server's code.
  'src/ui': [
    'src/server',
    'src/worker',
    'src/queue',
    'src/cli',
    'src/main',
    'src/admission',
    'bench',
    'test',
  ],
  'src/cli': ['src/server', 'src/worker', 'bench', 'test'],
  'src/main': ['bench', 'test'],
  bench: ['src/cli'],
};

/** Only the composition roots (and the store, which implements it) open a database. */
const ROOTS = ['src/main', 'src/cli', 'src/store', 'bench'];
const OPENS_RESOURCES = /\b(openDatabase|new RegistryClients|new pg\.Pool|PGlite\.create)\(/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|js)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

const isTestCode = (file: string) => /\.test\.ts$|\/test-support\/|\/__fixtures__\//.test(file);

/** Every relative module specifier in `import … from`, `export … from` and `import()`. */
function importsOf(text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)];
  return specs.map((m) => m[1] ?? '');
}

function ownerOf(file: string): string | undefined {
  return Object.keys(FORBIDDEN)
    .filter((folder) => file === folder || file.startsWith(`${folder}/`))
    .sort((a, b) => b.length - a.length)[0];
}

const FILES = [...sourceFiles('src'), ...sourceFiles('bench')].filter((f) => !isTestCode(f));

describe('dependency rule (docs/architecture.md)', () => {
  it('finds the code it checks', () => {
    expect(FILES.filter((f) => f.startsWith('src/core/pipeline/')).length).toBeGreaterThan(3);
    expect(FILES.filter((f) => f.startsWith('bench/')).length).toBeGreaterThan(3);
  });

  it('no module imports a folder it must never import', () => {
    const violations: string[] = [];
    for (const file of FILES) {
      const owner = ownerOf(file);
      if (!owner) continue;
      for (const spec of importsOf(readFileSync(join(ROOT, file), 'utf8'))) {
        const target = relative(ROOT, resolve(ROOT, dirname(file), spec));
        const hit = FORBIDDEN[owner]?.find((f) => target === f || target.startsWith(`${f}/`));
        if (hit) violations.push(`${file} imports ${target} (${owner} must never import ${hit})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only the composition roots open databases and create client pools', () => {
    const outside = FILES.filter(
      (f) =>
        !ROOTS.some((root) => f.startsWith(`${root}/`)) &&
        OPENS_RESOURCES.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('the checker sees every kind of import', () => {
    const text = `import a from '../x.js';\nimport type { B } from "./y.js";\nexport { c } from '../../z.js';\nawait import('./w.js');\nimport './side.js';`;
    expect(importsOf(text)).toEqual(['../x.js', './y.js', '../../z.js', './w.js', './side.js']);
  });
});
