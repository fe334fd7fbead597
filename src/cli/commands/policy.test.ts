/** `portcullis policy …` through the real CLI entry, on bundle files written to a temp dir. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../../../test/support/cli.js';

let root: string;
const ANCHORE_DEFAULT = fileURLToPath(
  new URL('../../../../shared/data/policy/anchore-engine/anchore_default_bundle.json', import.meta.url),
);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-policy-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(args: string[]): Promise<CliRun> {
  return runCli(args);
}

describe('portcullis policy validate', () => {
  it('exits 0 for a valid Anchore bundle', async () => {
    const r = await run(['policy', 'validate', ANCHORE_DEFAULT]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`${ANCHORE_DEFAULT}: valid (1 policies, 6 rules, 1 mappings)\n`);
  });

  it('exits 1 and prints every error with its path', async () => {
    const file = join(root, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        id: 'b',
        version: '1_0',
        policies: [
          {
            id: 'p',
            rules: [
              { gate: 'nope', trigger: 'x', action: 'STOP', params: [] },
              { gate: 'always', trigger: 'always', action: 'MAYBE', params: [] },
            ],
          },
        ],
        mappings: [{ registry: '*', repository: '*', image: { type: 'tag', value: '*' }, policy_id: 'q' }],
      }),
    );
    const r = await run(['policy', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')).toEqual([
      'policies[0].rules[0].gate: unknown gate "nope"',
      'policies[0].rules[1].action: unknown action "MAYBE" (expected STOP, WARN or GO)',
      'mappings[0].policy_id: policy "q" is not defined in this bundle',
      `${file}: invalid (3 errors)`,
      '',
    ]);
  });

  it('malformed JSON and a missing file are errors', async () => {
    const file = join(root, 'broken.json');
    await writeFile(file, '{ "id": ');
    const broken = await run(['policy', 'validate', file]);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/^\$: malformed JSON: /);
    const missing = await run(['policy', 'validate', join(root, 'absent.json')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/\[IO\]: cannot read policy bundle .*absent\.json/);
  });

  it('refuses non-regular files and oversized bundles before reading them', async () => {
    const dev = await run(['policy', 'validate', '/dev/zero']);
    expect([dev.code, dev.err]).toEqual([
      1,
      expect.stringContaining('[IO]: policy bundle /dev/zero is not a regular file'),
    ]);
    const big = join(root, 'big.json');
    await writeFile(big, ' '.repeat(10 * 1024 * 1024 + 1));
    const r = await run(['policy', 'validate', big]);
    expect([r.code, r.err]).toEqual([1, expect.stringContaining('[SIZE_LIMIT]: policy bundle')]);
  });

  it('validates built-ins by name', async () => {
    expect((await run(['policy', 'validate', 'builtin:deny-all'])).out).toBe(
      'builtin:deny-all: valid (1 policies, 1 rules, 1 mappings)\n',
    );
    const unknown = await run(['policy', 'validate', 'builtin:nope']);
    expect([unknown.code, unknown.err]).toEqual([
      1,
      expect.stringContaining('[NOT_FOUND]: no built-in policy bundle "nope"'),
    ]);
  });
});

describe('portcullis policy spec / list', () => {
  it('spec -o json is the generated spec', async () => {
    const r = await run(['policy', 'spec', '-o', 'json']);
    expect(r.code).toBe(0);
    const spec = JSON.parse(r.out) as { name: string; state: string }[];
    expect(spec.filter((g) => g.state === 'active').map((g) => g.name)).toEqual([
      'vulnerabilities',
      'packages',
      'dockerfile',
      'files',
      'passwd_file',
      'retrieved_files',
      'secret_scans',
      'licenses',
      'metadata',
      'npms',
      'ruby_gems',
      'malware',
      'always',
    ]);
  });
  it('spec table has one row per trigger', async () => {
    const r = await run(['policy', 'spec']);
    expect(r.out.split('\n')[0]).toMatch(/^GATE +TRIGGER +STATE +PARAMETERS/);
    const rows = r.out
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/).slice(0, 3).join(' '));
    expect(rows).toContain('always always active');
    expect(rows).toContain('anchoresec vulnhigh eol');
  });
  it('list names every built-in', async () => {
    const r = await run(['policy', 'list', '-o', 'json']);
    expect((JSON.parse(r.out) as { name: string }[]).map((b) => b.name)).toEqual([
      'allow-all',
      'reject-critical',
      'reject-high',
      'block-root',
      'deny-all',
      'docker-best-practices',
    ]);
  });
});
