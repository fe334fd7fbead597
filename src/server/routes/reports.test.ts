/**
 * The report routes on both stores with a really analysed image (the `app` fixture pulled from
 * the TLS + htpasswd registry, matched against the shared feeds): the HTML page with its strict
 * headers and the verdict of the account's bundle, the PDF printed by Chromium (pdftotext), the
 * team label from the image's annotations and labels, and the report list filtered by team.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../../../test/harness/api.js';
import { STORE_KINDS, stopSharedPostgres } from '../../../test/harness/databases.js';
import {
  loadFeeds,
  pushAppFixture,
  analysePushedFixture,
  type PushedFixture,
} from '../../../test/harness/service-fixture.js';
import { BUILTIN_BUNDLES } from '../../core/policy/index.js';
import { vulnerabilityDataOf } from '../../store/vulnerability-data.js';

let pushed: PushedFixture;
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-reports-'));
  pushed = await pushAppFixture();
}, 600_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await stopSharedPostgres();
  await rm(root, { recursive: true, force: true });
});

describe.each(STORE_KINDS)('reports on %s', (kind) => {
  let api: ApiHarness;
  const url = (query: string) => `/v1/images/${encodeURIComponent(pushed.digest)}/report${query}`;

  beforeAll(async () => {
    api = await startApi(kind);
    const vulnerabilities = vulnerabilityDataOf(api.database.db, await loadFeeds(api.database.db));
    const { result, registry, repo, tagName } = await analysePushedFixture(pushed, vulnerabilities, {
      cacheDir: join(root, kind),
      tempRoot: root,
    });
    // alice's record is annotated with her team; bob's record of the same digest is not.
    await api.store.images.add({
      accountName: 'team-a',
      imageDigest: pushed.digest,
      tag: { registry: registry!, repo: repo!, tag: tagName! },
      annotations: { team: 'payments' },
    });
    await api.store.images.add({
      accountName: 'team-b',
      imageDigest: pushed.digest,
      tag: { registry: registry!, repo: repo!, tag: tagName! },
    });
    await api.store.analyses.save({ ...result });
    await api.store.images.transition(pushed.digest, ['not_analyzed'], 'analyzed');
    const deny = BUILTIN_BUNDLES.find((b) => b.name === 'deny-all')!.document as Record<string, unknown>;
    const res = await api.call('bob', {
      method: 'POST',
      url: '/v1/policies',
      payload: { ...deny, id: 'deny', name: 'deny-all' },
    });
    expect(res.statusCode, res.body).toBe(200);
  }, 600_000);
  afterAll(() => api?.close());

  it('renders the HTML report of the active bundle with a strict content-security policy', async () => {
    const res = await api.call('alice', { method: 'GET', url: url('?format=html') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).toMatch(/^<!DOCTYPE html>/);
    expect(res.body).toContain(pushed.digest);
    expect(res.body).toMatch(/verdict-(pass|fail)/);
    expect(res.body.replace(/\s+/g, ' ')).toContain('payments (team)');
    expect(res.body).toMatch(/CVE-\d{4}-\d+/);
  });

  it('judges by the bundle asked for, and each account by its own data', async () => {
    const denied = await api.call('alice', {
      method: 'GET',
      url: url(`?policyId=no-such-bundle`),
    });
    expect(denied.statusCode).toBe(404);
    // bob's record carries no team annotation: the image config's vendor label names it.
    const bob = await api.call('bob', { method: 'GET', url: url('?policyId=deny') });
    expect(bob.statusCode, bob.body).toBe(200);
    expect(bob.body).toContain('verdict-fail');
    expect(bob.body.replace(/\s+/g, ' ')).toContain('Portcullis (org.opencontainers.image.vendor)');
    expect(bob.body).not.toContain('payments');
  });

  it('prints the PDF with Chromium: a valid PDF with the verdict and the worst finding', async () => {
    const html = await api.call('bob', { method: 'GET', url: url('?policyId=deny&format=html') });
    const res = await api.call('bob', { method: 'GET', url: url('?policyId=deny&format=pdf') });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="portcullis-report-[0-9a-f]{12}\.pdf"$/,
    );
    const file = join(root, `${kind}.pdf`);
    await writeFile(file, res.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('FAIL');
    const worst = /<th scope="row"><a href="[^"]*">([^<]+)<\/a><\/th>/.exec(html.body)?.[1];
    expect(worst).toBeDefined();
    expect(text).toContain(worst);
  }, 120_000);

  it('lists reports with each image team, filtered by team', async () => {
    const all = await api.call('alice', { method: 'GET', url: '/v1/reports' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual([
      expect.objectContaining({
        imageDigest: pushed.digest,
        team: { key: 'team', value: 'payments' },
        report: {
          html: `${url('')}?format=html`,
          pdf: `${url('')}?format=pdf`,
        },
      }),
    ]);
    expect(
      (await api.call('alice', { method: 'GET', url: '/v1/reports?team=Payments' })).json(),
    ).toHaveLength(1);
    expect((await api.call('alice', { method: 'GET', url: '/v1/reports?team=other' })).json()).toEqual([]);
    const bob = (await api.call('bob', { method: 'GET', url: '/v1/reports?team=portcullis' })).json() as {
      team: unknown;
    }[];
    expect(bob.map((r) => r.team)).toEqual([{ key: 'org.opencontainers.image.vendor', value: 'Portcullis' }]);
  });

  it('answers 404 for an unanalysed or unknown image and 400 for an unknown format', async () => {
    const unknown = `/v1/images/${encodeURIComponent(`sha256:${'e'.repeat(64)}`)}/report`;
    expect((await api.call('alice', { method: 'GET', url: unknown })).statusCode).toBe(404);
    expect((await api.call('alice', { method: 'GET', url: url('?format=docx') })).statusCode).toBe(400);
  });
});
