/**
 * `portcullis promote` against a real docker-registry (TLS + htpasswd): the same gate and exit
 * codes as `evaluate`, and a copy by digest only on pass (a whole index for multi-platform).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtureImage } from '../../../test/harness/fixtures/index.js';
import { inspectRaw, pushImage } from '../../../test/harness/registry/push.js';
import { startRegistry, type TestRegistry } from '../../../test/harness/registry/start-registry.js';
import { runCli } from '../../../test/support/cli.js';

let temp: string;
let registry: TestRegistry;
let caFile: string;

const digestAt = async (ref: string) =>
  `sha256:${createHash('sha256')
    .update(await inspectRaw(registry, ref))
    .digest('hex')}`;

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'portcullis-promote-cli-'));
  const [app, multi] = await Promise.all([getFixtureImage('app'), getFixtureImage('multiarch')]);
  registry = await startRegistry('tls-basic');
  caFile = join(temp, 'ca.pem');
  await writeFile(caFile, registry.caPem);
  await pushImage(registry, `oci:${app.ociLayoutDir}:${app.tag}`, 'unscanned/app:1');
  await pushImage(registry, `oci:${multi.ociLayoutDir}:${multi.tag}`, 'unscanned/multi:1');
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  await rm(temp, { recursive: true, force: true });
});

function promote(src: string, dst: string, ...args: string[]) {
  return runCli([
    '--cache-dir',
    join(temp, 'cache'),
    'promote',
    `${registry.host}/${src}`,
    `${registry.host}/${dst}`,
    '--ca-file',
    caFile,
    '--username',
    registry.username,
    '--password',
    registry.password,
    '--allow-no-vuln-data',
    ...args,
  ]);
}

describe('portcullis promote', () => {
  it('copies by digest on pass (exit 0), with the decision printed as `evaluate` prints it', async () => {
    const run = await promote(
      'unscanned/app:1',
      'scanned/app',
      '--policy',
      'builtin:allow-all',
      '-o',
      'json',
    );
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ status: 'pass' });
    expect(run.err).toMatch(/promoted .*scanned\/app:1@sha256:/);
    expect(await digestAt('scanned/app:1')).toBe(await digestAt('unscanned/app:1'));
  });

  it('does not copy on fail (exit 2)', async () => {
    const run = await promote(
      'unscanned/app:1',
      'rejected/app:1',
      '--policy',
      'builtin:deny-all',
      '-o',
      'json',
    );
    expect(run.code).toBe(2);
    expect(JSON.parse(run.out)).toMatchObject({ status: 'fail', final_action: 'STOP' });
    expect(run.err).toMatch(/not promoted/);
    await expect(inspectRaw(registry, 'rejected/app:1')).rejects.toThrow();
  });

  it('copies a multi-platform index whole', async () => {
    const run = await promote('unscanned/multi:1', 'scanned/multi:stable', '--policy', 'builtin:allow-all');
    expect(run.code, run.err).toBe(0);
    expect(await digestAt('scanned/multi:stable')).toBe(await digestAt('unscanned/multi:1'));
  });

  it('exits 1 on errors: a source that is not a registry image, a missing tag', async () => {
    expect(
      (await runCli(['promote', 'oci-dir:/nowhere', 'r.example/x', '--policy', 'builtin:allow-all'])).code,
    ).toBe(1);
    const missing = await promote('unscanned/app:nope', 'scanned/app', '--policy', 'builtin:allow-all');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/not found/);
  });
});
