/**
 * `k8s policy-report` and `attest` as a user runs them, against a real TLS + htpasswd registry
 * holding an image built from Debian packages, with the shared feed mirror as the database.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { pushAppFixture, type PushedFixture } from '../../../test/harness/service-fixture.js';
import { runCli } from '../../../test/support/cli.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import type { VulnStatement } from '../../core/attestation/vuln-attestation.js';
import type { PolicyReport } from '../../core/kubernetes/policy-report.js';
import {
  deploymentTemplate,
  podList,
  policyReportValidator,
  runningPod,
} from '../../core/kubernetes/test-support/pods.js';
import type { ScanReport } from '../../core/report/index.js';

let pushed: PushedFixture;
let root: string;
let registryFlags: string[];
const global = () => ['--cache-dir', join(root, 'cache')];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-k8s-'));
  pushed = await pushAppFixture();
  registryFlags = [
    '--ca-file',
    join(pushed.registry.certDir!, 'ca.crt'),
    '--username',
    pushed.registry.username,
    '--password',
    pushed.registry.password,
  ];
  const update = await runCli([...global(), 'db', 'update', '--mirror', SHARED_DATA]);
  expect(update.code, update.err).toBe(0);
}, 900_000);
afterAll(async () => {
  await pushed?.registry.stop();
  await rm(root, { recursive: true, force: true });
});

describe('portcullis k8s policy-report', () => {
  it("writes a namespace's running images' results as a PolicyReport valid against the CRD", async () => {
    const host = pushed.registry.host;
    const web = await deploymentTemplate('web', `${host}/fixtures/app:1`, 'shop');
    const ghost = await deploymentTemplate('ghost', `${host}/fixtures/missing:1`, 'shop');
    const pods = join(root, 'pods.json');
    await writeFile(
      pods,
      JSON.stringify(
        podList([
          runningPod(web, 'web-1', 'shop', `docker-pullable://${host}/fixtures/app@${pushed.digest}`),
          runningPod(web, 'web-2', 'shop', `docker-pullable://${host}/fixtures/app@${pushed.digest}`),
          runningPod(ghost, 'ghost-1', 'shop', ''),
        ]),
      ),
    );
    const policy = 'builtin:reject-critical';
    const run = await runCli([
      ...global(),
      'k8s',
      'policy-report',
      '--namespace',
      'shop',
      '--pods',
      pods,
      '--policy',
      policy,
      '--registry',
      host,
      ...registryFlags,
    ]);
    expect(run.code, run.err).toBe(0);
    const report = parseYaml(run.out) as PolicyReport;
    const validate = await policyReportValidator();
    expect(validate(report)).toBeNull();
    expect(report.metadata.namespace).toBe('shop');

    const final = report.results.find((r) => r.rule === 'final-action')!;
    expect(final.resources.map((r) => r.name)).toEqual(['web-1', 'web-2']);
    expect(final.properties).toMatchObject({ digest: pushed.digest, image: `${host}/fixtures/app:1` });
    // The same verdict as `portcullis evaluate` on the same image.
    const evaluated = await runCli([
      ...global(),
      'evaluate',
      `registry:${host}/fixtures/app@${pushed.digest}`,
      '--policy',
      policy,
      '-o',
      'json',
      ...registryFlags,
    ]);
    const decision = JSON.parse(evaluated.out) as { status: string; final_action: string };
    // A WARN passes the gate; the report says warn.
    const expected = { GO: 'pass', WARN: 'warn', STOP: 'fail' }[decision.final_action];
    expect(final.result).toBe(decision.status === 'fail' ? 'fail' : expected);
    const errors = report.results.filter((r) => r.result === 'error');
    expect(errors.map((r) => r.resources[0]?.name)).toEqual(['ghost-1']);
    expect(report.summary.error).toBe(1);
    expect(report.summary.pass + report.summary.fail + report.summary.warn).toBe(report.results.length - 1);

    // JSON to a file, the same report.
    const file = join(root, 'report.json');
    const json = await runCli([
      ...global(),
      'k8s',
      'policy-report',
      '-n',
      'shop',
      '--pods',
      pods,
      '--policy',
      policy,
      '--registry',
      host,
      '-o',
      'json',
      '--file',
      file,
      ...registryFlags,
    ]);
    expect(json.code, json.err).toBe(0);
    const fromFile = JSON.parse(await readFile(file, 'utf8')) as PolicyReport;
    expect(validate(fromFile)).toBeNull();
    expect(fromFile.summary).toEqual(report.summary);
  });

  it('sends --username/--password only to the registry --registry names', async () => {
    const host = pushed.registry.host;
    const web = await deploymentTemplate('web', `${host}/fixtures/app:1`, 'shop');
    const pods = join(root, 'pods-unbound.json');
    await writeFile(pods, JSON.stringify(podList([runningPod(web, 'web-1', 'shop', '')])));
    const run = await runCli([
      ...global(),
      'k8s',
      'policy-report',
      '-n',
      'shop',
      '--pods',
      pods,
      '--registry',
      'other.example',
      ...registryFlags,
    ]);
    expect(run.code, run.err).toBe(0);
    const report = parseYaml(run.out) as PolicyReport;
    expect(report.results.map((r) => r.result)).toEqual(['error']);
    expect(report.results[0]!.message).toMatch(/unauthori[sz]ed|credentials/i);
  });
});

describe('portcullis k8s policy-report without --pods', () => {
  it('runs kubectl get pods and says so when it fails (no cluster here)', async () => {
    const kubeconfig = join(root, 'no-cluster.kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    const run = await runCli([
      ...global(),
      'k8s',
      'policy-report',
      '-n',
      'shop',
      '--kubectl',
      'kubectl',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('kubectl get pods --namespace shop --output json');
  });
});

describe('portcullis attest', () => {
  it("prints an in-toto statement with cosign's vuln predicate for the image's digest", async () => {
    const source = `registry:${pushed.reference}`;
    const run = await runCli([...global(), 'attest', source, ...registryFlags]);
    expect(run.code, run.err).toBe(0);
    const statement = JSON.parse(run.out) as VulnStatement;
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://cosign.sigstore.dev/attestation/vuln/v1');
    expect(statement.subject).toEqual([
      {
        name: `${pushed.registry.host}/fixtures/app`,
        digest: { sha256: pushed.digest.slice('sha256:'.length) },
      },
    ]);
    const { invocation, scanner, metadata } = statement.predicate;
    expect(Object.keys(invocation).sort()).toEqual(['builder.id', 'event_id', 'parameters', 'uri']);
    expect(scanner).toMatchObject({ uri: 'pkg:npm/portcullis', db: { uri: expect.any(String) } });
    expect(scanner.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Date.parse(scanner.db.version)).not.toBeNaN();
    expect(Date.parse(metadata.scanStartedOn)).toBeLessThanOrEqual(Date.parse(metadata.scanFinishedOn));
    // The result is the scan's own JSON report.
    const scan = await runCli([...global(), 'scan', source, '-o', 'json', ...registryFlags]);
    const findings = (JSON.parse(scan.out) as ScanReport).findings;
    const result = scanner.result as ScanReport;
    expect(result.findings.map((f) => f.id).sort()).toEqual(findings.map((f) => f.id).sort());
    expect(result.source.digest).toBe(pushed.digest);
  });
});
