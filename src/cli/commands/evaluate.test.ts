/**
 * `portcullis evaluate` end to end on a real image: catalog, match against the real feeds,
 * evaluate built-in and Anchore's published bundles, exit codes as documented.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { FEED_DRIVERS } from '../../core/advisories/feeds/registry.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { openVulnerabilityDatabase } from '../analyze.js';
import { runCli } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import type { ScanReport } from '../../core/report/index.js';

let fixture: FixtureImage;
let temp: string;
let cacheDir: string;

async function evaluate(...args: string[]): Promise<{ code: number; stdout: string }> {
  const { code, out } = await runCli([
    '--cache-dir',
    cacheDir,
    'evaluate',
    `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`,
    ...args,
  ]);
  return { code, stdout: out };
}

/** A bundle with one policy of `rules`, mapped to every image, written to the temp dir. */
async function bundleFile(name: string, rules: Record<string, unknown>[]): Promise<string> {
  const bundle = {
    id: name,
    version: '1_0',
    name,
    policies: [{ id: 'p1', version: '1_0', name: 'p1', rules }],
    whitelists: [],
    mappings: [
      {
        id: 'm1',
        name: 'all',
        registry: '*',
        repository: '*',
        image: { type: 'tag', value: '*' },
        policy_ids: ['p1'],
        whitelist_ids: [],
      },
    ],
    whitelisted_images: [],
    blacklisted_images: [],
  };
  const file = join(temp, `${name}.json`);
  await writeFile(file, JSON.stringify(bundle));
  return file;
}

describe('portcullis evaluate', () => {
  beforeAll(async () => {
    fixture = await getFixtureImage('app');
    temp = await mkdtemp(join(tmpdir(), 'portcullis-evaluate-'));
    cacheDir = join(temp, 'cache');
    const database = await openVulnerabilityDatabase({}, cacheDir, {});
    try {
      const outcomes = await updateFeeds(database.store, FEED_DRIVERS, {
        mode: { mirrorDir: SHARED_DATA },
      });
      expect(outcomes.every((o) => o.status === 'updated')).toBe(true);
    } finally {
      await database.close();
    }
  });
  afterAll(async () => {
    if (temp) await rm(temp, { recursive: true, force: true });
  });

  it('passes allow-all (exit 0) and fails deny-all (exit 2) with the reason', async () => {
    const allow = await evaluate('--policy', 'builtin:allow-all', '-o', 'json');
    expect(allow.code).toBe(0);
    const allowed = JSON.parse(allow.stdout) as { status: string; final_action: string };
    // allow-all never stops an image; it may WARN (e.g. on critical vulnerabilities).
    expect(allowed.status).toBe('pass');
    expect(['GO', 'WARN']).toContain(allowed.final_action);
    const deny = await evaluate('--policy', 'builtin:deny-all', '-o', 'json');
    expect(deny.code).toBe(2);
    expect(JSON.parse(deny.stdout)).toMatchObject({ status: 'fail', final_action: 'STOP' });
  });

  it('fires the dockerfile and vulnerability gates from the real analysis', async () => {
    const file = await bundleFile('test', [
      {
        id: 'r1',
        gate: 'dockerfile',
        trigger: 'exposed_ports',
        action: 'STOP',
        params: [
          { name: 'ports', value: '22' },
          { name: 'type', value: 'blacklist' },
        ],
      },
      {
        id: 'r2',
        gate: 'vulnerabilities',
        trigger: 'package',
        action: 'WARN',
        params: [
          { name: 'package_type', value: 'all' },
          { name: 'severity_comparison', value: '>=' },
          { name: 'severity', value: 'low' },
        ],
      },
      {
        id: 'r3',
        gate: 'dockerfile',
        trigger: 'effective_user',
        action: 'STOP',
        params: [
          { name: 'users', value: 'root' },
          { name: 'type', value: 'blacklist' },
        ],
      },
    ]);
    const { code, stdout } = await evaluate(
      '--policy',
      file,
      '--tag',
      'registry.example/app:1',
      '-o',
      'json',
    );
    const decision = JSON.parse(stdout) as {
      status: string;
      triggers: { gate: string; trigger: string; ruleId?: string; rule_id?: string }[];
    };
    // The fixture exposes 22/tcp (inherited from base) and runs as nobody.
    expect(decision.triggers.some((t) => t.gate === 'dockerfile' && t.trigger === 'exposed_ports')).toBe(
      true,
    );
    expect(decision.triggers.some((t) => t.trigger === 'effective_user')).toBe(false);
    expect(decision.triggers.some((t) => t.gate === 'vulnerabilities')).toBe(true);
    expect(code).toBe(2);
    expect(decision.status).toBe('fail');
  });

  it("evaluates Anchore's published default bundle unchanged", async () => {
    const { code, stdout } = await evaluate(
      '--policy',
      `${SHARED_DATA}/policy/anchore-engine/anchore_default_bundle.json`,
      '--tag',
      'docker.io/library/app:latest',
    );
    expect([0, 2]).toContain(code);
    // The feeds cover debian:12, so the data-availability trigger must not fire.
    expect(stdout).not.toMatch(/vulnerability_data_unavailable/);
    expect(stdout).toMatch(/Final action:\s+(GO|WARN|STOP)/);
  });

  it('fires files/content_regex_match from --content-search matches, and not without them', async () => {
    const file = await bundleFile('content', [
      {
        id: 'r1',
        gate: 'files',
        trigger: 'content_regex_match',
        action: 'STOP',
        params: [{ name: 'regex_name', value: 'CODENAME' }],
      },
    ]);
    const hit = await evaluate(
      '--policy',
      file,
      '--content-search',
      'CODENAME=VERSION_CODENAME=bookworm',
      '-o',
      'json',
    );
    const decision = JSON.parse(hit.stdout) as {
      triggers: { gate: string; trigger: string; message: string }[];
    };
    expect(hit.code).toBe(2);
    // /etc/os-release is a symlink to /usr/lib/os-release in Debian 12: the file itself matches.
    expect(decision.triggers.map((t) => t.message)).toContainEqual(
      expect.stringMatching(/file=\/usr\/lib\/os-release regexp=CODENAME/),
    );
    const miss = await evaluate('--policy', file, '-o', 'json');
    expect(miss.code).toBe(0);
    const invalid = await evaluate('--policy', file, '--content-search', 'BROKEN=(unclosed');
    expect(invalid.code).toBe(1);
  });

  it('agrees with scan on suppressions: VEX-like ignore rules and changelog evidence apply to both', async () => {
    const ignore = join(temp, 'ignore.yaml');
    await writeFile(ignore, 'ignore:\n  - vulnerability: GHSA-r683-j2x4-v87g\n    reason: not reachable\n');
    const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
    const scanned = await runCli([
      '--cache-dir',
      cacheDir,
      'scan',
      source,
      '-o',
      'json',
      '--ignore-file',
      ignore,
    ]);
    expect(scanned.code).toBe(0);
    const findings = (JSON.parse(scanned.out) as ScanReport).findings;
    // Suppressible findings: the ignore file's (and the changelog's, where a package's own
    // changelog names a CVE it fixes; the app fixture has none today).
    expect(findings.some((f) => f.suppressed?.by === 'ignore-rule')).toBe(true);
    const every = await bundleFile('every-vulnerability', [
      {
        id: 'r1',
        gate: 'vulnerabilities',
        trigger: 'package',
        action: 'STOP',
        params: [
          { name: 'package_type', value: 'all' },
          { name: 'vendor_only', value: 'false' },
        ],
      },
    ]);
    const evaluated = await evaluate('--policy', every, '--ignore-file', ignore, '-o', 'json');
    expect(evaluated.code).toBe(2);
    const fired = (JSON.parse(evaluated.stdout) as { triggers: { trigger_id: string }[] }).triggers.map(
      (t) => t.trigger_id,
    );
    const unsuppressed = findings.filter((f) => !f.suppressed).map((f) => `${f.id}+${f.package.name}`);
    expect(new Set(fired)).toEqual(new Set(unsuppressed));
    for (const f of findings.filter((x) => x.suppressed)) {
      if (!unsuppressed.includes(`${f.id}+${f.package.name}`))
        expect(fired).not.toContain(`${f.id}+${f.package.name}`);
    }
  });

  it('marks stale data on the scan report and warns on evaluate (--max-data-age)', async () => {
    const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
    // The feeds were imported seconds ago: a limit of 1/3600 h (one second) makes them stale.
    const age = String(1 / 3600);
    await new Promise((r) => setTimeout(r, 1100));
    const json = await runCli(['--cache-dir', cacheDir, 'scan', source, '-o', 'json', '--max-data-age', age]);
    const database = (JSON.parse(json.out) as ScanReport).database;
    expect(database).toMatchObject({ available: true, stale: true, staleAfterHours: 1 / 3600 });
    const table = await runCli(['--cache-dir', cacheDir, 'scan', source, '--max-data-age', age]);
    expect(table.out).toMatch(/^Warning: the vulnerability data is stale: last synced /);
    const fresh = await runCli(['--cache-dir', cacheDir, 'scan', source, '-o', 'json']);
    expect((JSON.parse(fresh.out) as ScanReport).database).toMatchObject({
      stale: false,
      staleAfterHours: 48,
    });
    const gate = await runCli([
      '--cache-dir',
      cacheDir,
      'evaluate',
      source,
      '--policy',
      'builtin:allow-all',
      '--max-data-age',
      age,
    ]);
    expect(gate.err).toContain('warning: the vulnerability data is stale');
    const bad = await runCli(['--cache-dir', cacheDir, 'scan', source, '--max-data-age', 'soon']);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--max-data-age must be a positive number of hours');
  });

  it('stops with a clear error on an empty database unless --allow-no-vuln-data', async () => {
    const empty = join(temp, 'empty-cache');
    const source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
    for (const args of [
      ['evaluate', source, '--policy', 'builtin:allow-all'],
      ['scan', source, '--fail-on', 'high'],
    ]) {
      const run = await runCli(['--cache-dir', empty, ...args]);
      expect(run.code).toBe(1);
      expect(run.err).toContain('[NO_VULNERABILITY_DATA]');
      expect(run.err).toContain('portcullis db update');
      expect(run.err).toContain('--allow-no-vuln-data');
    }
    const allowed = await runCli([
      '--cache-dir',
      empty,
      'evaluate',
      source,
      '--policy',
      'builtin:allow-all',
      '--allow-no-vuln-data',
      '-o',
      'json',
    ]);
    expect(allowed.code).toBe(0);
    expect(allowed.err).toContain('warning: the vulnerability database is empty');
    const scanned = await runCli([
      '--cache-dir',
      empty,
      'scan',
      source,
      '-o',
      'json',
      '--allow-no-vuln-data',
    ]);
    expect(scanned.code).toBe(0);
    expect((JSON.parse(scanned.out) as ScanReport).database).toMatchObject({ feeds: [], available: false });
  });

  it('fails both gates on an unreadable dpkg status unless --allow-unreadable-package-db', async () => {
    // The fixture's Debian root reduced to what matters, its dpkg status a symlink loop.
    const root = join(temp, 'unreadable-root');
    await mkdir(join(root, 'usr/lib'), { recursive: true });
    await mkdir(join(root, 'var/lib/dpkg'), { recursive: true });
    await copyFile(join(fixture.rootfsDir, 'usr/lib/os-release'), join(root, 'usr/lib/os-release'));
    await symlink('status.loop', join(root, 'var/lib/dpkg/status'));
    await symlink('status', join(root, 'var/lib/dpkg/status.loop'));
    const source = `dir:${root}`;
    const run = (...args: string[]) => runCli(['--cache-dir', cacheDir, ...args]);
    const optOut = '--allow-unreadable-package-db';

    const stopped = await run('evaluate', source, '--policy', 'builtin:allow-all', '-o', 'json');
    expect(stopped.code, stopped.err).toBe(2);
    const decision = JSON.parse(stopped.out) as { final_action: string; fail_closed: { path: string }[] };
    expect(decision.final_action).toBe('STOP');
    expect(decision.fail_closed.map((f) => f.path)).toEqual(['/var/lib/dpkg/status']);
    const allowed = await run('evaluate', source, '--policy', 'builtin:allow-all', '-o', 'json', optOut);
    expect(allowed.code, allowed.err).toBe(0);
    expect((JSON.parse(allowed.out) as { fail_closed: unknown[] }).fail_closed).toEqual([]);

    const gated = await run('scan', source, '--fail-on', 'critical', '-o', 'json');
    expect(gated.code, gated.err).toBe(2);
    expect(gated.err).toContain('The package database /var/lib/dpkg/status could not be read');
    expect((await run('scan', source, '--fail-on', 'critical', '-o', 'json', optOut)).code).toBe(0);
    // Without a gate there is nothing to fail: the report alone says what could not be read.
    expect((await run('scan', source, '-o', 'json')).code).toBe(0);
  });

  it('reports a missing bundle as an error (exit 1)', async () => {
    const { code } = await evaluate('--policy', join(temp, 'missing.json'));
    expect(code).toBe(1);
  });
});
