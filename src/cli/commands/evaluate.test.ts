/**
 * `portcullis evaluate` end to end on a real image: catalog, match against the real feeds,
 * evaluate built-in and Anchore's published bundles, exit codes as documented.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage, type FixtureImage } from '../../../test/harness/fixtures/index.js';
import { FEED_DRIVERS } from '../../core/advisories/feeds/registry.js';
import { updateFeeds } from '../../store/update-feeds.js';
import { openVulnerabilityDatabase } from '../analyze.js';
import { runCli } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

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

  it('reports a missing bundle as an error (exit 1)', async () => {
    const { code } = await evaluate('--policy', join(temp, 'missing.json'));
    expect(code).toBe(1);
  });
});
