/**
 * The web UI in a real browser (Debian chromium through playwright-core) against a listening
 * service with a really analysed image (the `app` fixture from the TLS registry, matched against
 * the shared feeds): log in, find the image, open it, search a CVE, upload an invalid then a
 * valid policy, add an exception and see the verdict change, download an SBOM and the report,
 * create a promotion rule and browse the promotion audit; axe-core on every page, no CSP
 * violation, the images page's bytes measured.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORDS, startApi, type ApiHarness } from '../../test/harness/api.js';
import {
  loadFeeds,
  pushAppFixture,
  analysePushedFixture,
  type PushedFixture,
} from '../../test/harness/service-fixture.js';
import type { Finding } from '../core/matching/types.js';
import { BUILTIN_BUNDLES } from '../core/policy/index.js';
import { vulnerabilityDataOf } from '../store/vulnerability-data.js';
import {
  bytesTransferred,
  launchBrowser,
  seriousViolations,
  type TestBrowser,
} from './test-support/browser.js';

let pushed: PushedFixture;
let root: string;
let api: ApiHarness;
let base: string;
let browser: TestBrowser;
let findings: Finding[];
let tag: string;

const strictBundle = () => {
  const doc = structuredClone(BUILTIN_BUNDLES.find((b) => b.name === 'reject-high')!.document) as {
    policies: { rules: { params: { name: string; value: string }[] }[] }[];
  } & Record<string, unknown>;
  // Every vulnerability stops the image, so the fixture fails until an exception covers them.
  for (const p of doc.policies[0]!.rules[0]!.params) if (p.name === 'severity') p.value = 'unknown';
  return { ...doc, id: 'ui-strict', name: 'ui-strict' };
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-ui-browser-'));
  pushed = await pushAppFixture();
  api = await startApi('PGlite');
  const vulnerabilities = vulnerabilityDataOf(api.database.db, await loadFeeds(api.database.db));
  const { result, registry, repo, tagName } = await analysePushedFixture(pushed, vulnerabilities, {
    cacheDir: join(root, 'cache'),
    tempRoot: root,
  });
  findings = result.findings.filter((f) => !f.suppressed);
  tag = `${registry}/${repo}:${tagName}`;
  await api.store.images.add({
    accountName: 'team-a',
    imageDigest: pushed.digest,
    tag: { registry: registry!, repo: repo!, tag: tagName! },
  });
  await api.store.analyses.save({ ...result });
  await api.store.images.transition(pushed.digest, ['not_analyzed'], 'analyzed');
  await api.app.listen({ host: '127.0.0.1', port: 0 });
  const address = api.app.server.address();
  if (!address || typeof address !== 'object') throw new Error('the service is not listening');
  base = `http://127.0.0.1:${address.port}`;
  browser = await launchBrowser();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await pushed?.registry.stop();
  await rm(root, { recursive: true, force: true });
});

async function expectAccessible(path: string): Promise<void> {
  const violations = await seriousViolations(browser.page);
  expect(violations, `axe on ${path}: ${JSON.stringify(violations)}`).toEqual([]);
}

describe('the web UI in chromium', () => {
  it('logs in and lands on the overview', async () => {
    const { page } = browser;
    await page.goto(`${base}/images`);
    expect(page.url()).toContain('/login?next=');
    await expectAccessible('/login');
    await page.getByLabel('User name').fill('alice');
    await page.getByLabel('Password').fill(PASSWORDS.alice);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/images`);
    await page.goto(`${base}/`);
    expect(await page.locator('h1').textContent()).toBe('Overview');
    expect(await page.locator('svg.chart').count()).toBe(1);
    await expectAccessible('/');
  });

  it('finds the image in the table with the filter and opens its detail', async () => {
    const { page } = browser;
    await page.goto(`${base}/images`);
    await page.getByLabel('Repository, tag or digest').fill('fixtures/app');
    await page.waitForURL(/q=fixtures%2Fapp/);
    const link = page.getByRole('link', { name: tag });
    await link.waitFor();
    await expectAccessible('/images');
    await link.click();
    await page.waitForURL(`${base}/images/${encodeURIComponent(pushed.digest)}`);
    expect(await page.locator('h1').textContent()).toBe(tag);
    expect(await page.locator('#findings tbody tr').count()).toBe(Math.max(1, findings.length));
    await expectAccessible('/images/{digest}');
  });

  it('searches a CVE of the image and lists the image', async () => {
    const { page } = browser;
    expect(findings.length).toBeGreaterThan(0);
    const cve = findings[0]!.id;
    await page.goto(`${base}/search`);
    await page.getByLabel('Vulnerability id').fill(cve);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?vuln=/);
    await page.locator('#hits').getByRole('link', { name: tag }).first().waitFor();
    await expectAccessible('/search');
  });

  it('refuses an invalid policy with its errors inline, uploads and activates a valid one', async () => {
    const { page } = browser;
    await page.goto(`${base}/policies`);
    const invalid = strictBundle();
    (invalid.policies[0]!.rules[0] as unknown as { trigger: string }).trigger = 'no_such_trigger';
    await page.getByLabel('Bundle (Anchore policy bundle JSON)').fill(JSON.stringify(invalid));
    await page.getByRole('button', { name: 'Upload' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('no_such_trigger');
    expect(await api.store.policies.get('team-a', 'ui-strict')).toBeUndefined();
    await expectAccessible('/policies (errors)');
    await page.getByLabel('Bundle (Anchore policy bundle JSON)').fill(JSON.stringify(strictBundle()));
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('status').waitFor();
    await page.getByRole('button', { name: 'Activate ui-strict' }).click();
    await page.waitForURL(`${base}/policies`);
    expect((await api.store.policies.active('team-a'))?.policyId).toBe('ui-strict');
    await page.goto(`${base}/policies/ui-strict`);
    await expectAccessible('/policies/{id}');
  });

  it('shows the image failing, adds an exception, and shows it passing', async () => {
    const { page } = browser;
    const detail = `${base}/images/${encodeURIComponent(pushed.digest)}`;
    await page.goto(detail);
    expect(await page.locator('#verdict').textContent()).toContain('fail');
    await page.goto(`${base}/exceptions`);
    await page.getByLabel('Vulnerability id').fill('*');
    await page.getByLabel('Package name (or * for every package)').fill('*');
    await page.getByLabel('Expires on').first().fill('2099-12-31');
    await page.getByRole('button', { name: 'Add exception' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.locator('#exceptions').textContent()).toContain('vulnerabilities: *+*');
    await expectAccessible('/exceptions');
    await page.goto(detail);
    expect(await page.locator('#verdict').textContent()).toContain('pass');
    await page.goto(`${base}/images?verdict=pass`);
    await page.getByRole('link', { name: tag }).waitFor();
  });

  it('downloads the SBOM (CycloneDX) and the report as HTML and PDF', async () => {
    const { page } = browser;
    const detail = `${base}/images/${encodeURIComponent(pushed.digest)}`;
    await page.goto(detail);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'SBOM: CycloneDX JSON' }).click(),
    ]);
    const sbom = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
      bomFormat: string;
      components: unknown[];
    };
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.components.length).toBeGreaterThan(0);
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Report (PDF)' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toMatch(/\.pdf$/);
    const bytes = await readFile((await pdf.path())!);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.getByRole('link', { name: 'Report (HTML)' }).click();
    await page.waitForURL(/\/report\?format=html$/);
    expect(await page.content()).toContain(pushed.digest);
    // The report keeps its own policy (inline styles, no script), not the UI pages' one.
    const report = await page.request.get(`${detail}/report?format=html`);
    expect(report.headers()['content-security-policy']).toContain("style-src 'unsafe-inline'");
    expect(browser.cspViolations).toEqual([]);
  });

  it('creates a promotion rule, filters the promotion audit, opens a record, exports CSV', async () => {
    const { page } = browser;
    await page.goto(`${base}/promotions/rules`);
    const [registry, ...rest] = tag.split('/');
    const repository = rest.join('/').split(':')[0]!;
    await page.getByLabel('Name', { exact: true }).fill('ui-promote');
    await page.getByLabel('Source registry').fill(registry!);
    await page.getByLabel('Source repository (glob)').fill(repository);
    await page.getByLabel('Destination registry').fill(registry!);
    await page.getByLabel('Destination repository').fill(`${repository}-scanned`);
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.locator('#rules').textContent()).toContain('ui-promote');
    await expectAccessible('/promotions/rules');
    const [rule] = await api.store.promotions.listRules('team-a');
    const record = await api.store.promotions.addRecord({
      accountName: 'team-a',
      rule: rule!,
      source: { registry: registry!, repository, tag: 'latest', digest: pushed.digest },
      destination: {
        registry: registry!,
        repository: `${repository}-scanned`,
        tags: ['latest'],
        digest: pushed.digest,
      },
      policy: { id: 'ui-strict', digest: `sha256:${'1'.repeat(64)}` },
      verdict: 'pass',
      outcome: 'promoted',
      reasons: [],
      trigger: { kind: 'manual', by: 'alice' },
      steps: [
        { step: 'evaluated', at: new Date().toISOString() },
        { step: 'copied', at: new Date().toISOString() },
      ],
      report: undefined,
      error: undefined,
    });
    await page.goto(`${base}/promotions`);
    await page.getByLabel('Verdict').selectOption('pass');
    await page.getByLabel('Repository (source or destination)').fill(repository);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/promotions\?.*verdict=pass/);
    expect(await page.locator('#promotions tbody tr').count()).toBe(1);
    await expectAccessible('/promotions');
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const text = await readFile((await csv.path())!, 'utf8');
    expect(text.split('\n')[0]).toContain('Rule');
    expect(text).toContain(pushed.digest);
    await page.locator('#promotions tbody a[href^="/promotions/"]').click();
    await page.waitForURL(`${base}/promotions/${record!.id}`);
    expect(await page.locator('#verdict').textContent()).toContain('pass');
    expect(await page.locator('#steps li').count()).toBe(2);
    await expectAccessible('/promotions/{id}');
  });

  it('passes axe on the other pages, keeps the CSP unviolated, and prints the bytes of the images page', async () => {
    const { page } = browser;
    for (const path of [
      '/notifications',
      '/admission',
      '/api-keys',
      '/images?format=html&sort=critical&dir=desc',
    ]) {
      await page.goto(`${base}${path}`);
      await expectAccessible(path);
    }
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/images`);
    await expectAccessible('/images at phone width');
    await page.setViewportSize({ width: 1280, height: 900 });
    const { bytes, requests } = await bytesTransferred(page, `${base}/images`);
    process.stdout.write(`ui: /images first load transferred ${bytes} bytes in ${requests} requests\n`);
    expect(bytes).toBeLessThanOrEqual(300 * 1024);
    expect(browser.cspViolations).toEqual([]);
  });

  it('logs out; an admin sees the accounts page', async () => {
    const { page } = browser;
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${base}/login`);
    await page.goto(`${base}/`);
    expect(page.url()).toContain('/login');
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill(PASSWORDS.admin);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/accounts`);
    expect(await page.locator('#accounts').textContent()).toContain('team-b');
    await expectAccessible('/accounts');
  });
});
