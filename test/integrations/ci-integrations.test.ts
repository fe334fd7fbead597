/**
 * The CI integrations run as their CI systems would run them: the GitHub Action's composite
 * steps (env from `${{ }}` expressions), the GitLab job's variables and script, and the
 * Jenkinsfile's `sh` steps, each script as written, with a `portcullis` on PATH that is this
 * checkout's CLI, on the app fixture image and the shared vulnerability data snapshot (through
 * each integration's own data-mirror setting). The files they produce are checked against the
 * official schemas: SARIF 2.1.0 and GitLab's container-scanning report 15.2.4; JUnit with xmllint.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitlabReportValidator } from '../../src/core/report/test-support/gitlab-schema.js';
import { sarifValidator } from '../../src/core/report/test-support/sarif-schema.js';
import { getFixtureImage } from '../harness/fixtures/index.js';
import { SHARED_DATA } from '../support/shared-data.js';
import { PORTCULLIS_IMAGE } from '../../scripts/image/config.js';
import {
  actionContext,
  expandExpressions,
  expandVariables,
  JENKINSFILE,
  jenkinsStages,
  readAction,
  readGitlabTemplate,
  REPO,
  runScript,
  type ScriptRun,
} from './ci-steps.js';

let root: string;
let workspace: string;
let source: string;
let baseEnv: NodeJS.ProcessEnv;

interface Sarif {
  runs: {
    tool: { driver: { name: string } };
    results: { ruleId: string; level: string; suppressions?: unknown[] }[];
  }[];
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pc-ci-'));
  workspace = join(root, 'workspace');
  const bin = join(root, 'bin');
  await mkdir(workspace);
  await mkdir(bin);
  // One vulnerability database for the three integrations: each names its cache dir its own way.
  await mkdir(join(root, 'portcullis-cache'));
  await symlink(join(root, 'portcullis-cache'), join(workspace, '.portcullis-cache'));
  // This checkout's CLI from source (never a dist/ that a concurrent `npm pack` may be rebuilding).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  await writeFile(
    join(bin, 'portcullis'),
    `#!/bin/sh\nexec '${process.execPath}' --import '${tsx}' '${join(REPO, 'src/cli/main.ts')}' "$@"\n`,
  );
  await chmod(join(bin, 'portcullis'), 0o755);
  const fixture = await getFixtureImage('app');
  source = `oci-dir:${fixture.ociLayoutDir}:${fixture.tag}`;
  baseEnv = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: root, LANG: 'C.UTF-8' };
}, 600_000);
afterAll(async () => rm(root, { recursive: true, force: true }));

function expectRan(run: ScriptRun, code: number, what: string): void {
  expect(run.code, `${what}: ${run.err.slice(-2000)}`).toBe(code);
}

describe('GitHub Action (action.yml)', () => {
  it('is a composite action whose scripts never interpolate ${{ }}, uploading SARIF even when the gate fails', async () => {
    const action = await readAction();
    for (const name of ['image', 'fail-on', 'policy', 'sarif-file', 'upload-sarif']) {
      expect(action.inputs[name], name).toBeDefined();
    }
    expect(action.inputs.image?.required).toBe(true);
    for (const step of action.runs.steps) expect(step.run ?? '', step.name).not.toContain('${{');
    const upload = action.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.sarif_file).toBe('${{ inputs.sarif-file }}');
    expect(upload?.if).toMatch(/always\(\)/);
    const install = action.runs.steps.find((s) => s.id === 'install');
    expect(install?.run).toMatch(/npm install --global .*"portcullis@\$\{PORTCULLIS_INSTALL_VERSION\}"/);
  });

  it('updates the data, writes a schema-valid SARIF log, fails on --fail-on high and on the policy', async () => {
    const action = await readAction();
    const context = actionContext(
      action,
      { image: source, 'fail-on': 'high', policy: 'builtin:deny-all', 'data-mirror': SHARED_DATA },
      root,
    );
    const runs = new Map<string, ScriptRun>();
    for (const id of ['db', 'scan', 'evaluate']) {
      const step = action.runs.steps.find((s) => s.id === id);
      expect(step?.shell, id).toBe('bash');
      const env = Object.fromEntries(
        Object.entries(step?.env ?? {}).map(([k, v]) => [k, expandExpressions(v, context)]),
      );
      // GitHub runs `shell: bash` as `bash --noprofile --norc -eo pipefail {0}`.
      runs.set(
        id,
        await runScript(
          ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'],
          step?.run ?? '',
          workspace,
          {
            ...baseEnv,
            ...env,
          },
        ),
      );
    }
    expectRan(runs.get('db')!, 0, 'db');
    expect(runs.get('db')!.out).toMatch(/osv/);
    expectRan(runs.get('scan')!, 2, 'scan --fail-on high');
    expectRan(runs.get('evaluate')!, 2, 'evaluate builtin:deny-all');
    const sarif = JSON.parse(await readFile(join(workspace, context['inputs.sarif-file']!), 'utf8')) as Sarif;
    const validate = await sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    expect(sarif.runs[0]?.tool.driver.name).toBe('portcullis');
    expect(sarif.runs[0]?.results.some((r) => r.level === 'error')).toBe(true);
  });
});

describe('GitLab CI template', () => {
  it('runs in the Portcullis image and writes gl-container-scanning-report.json valid against the schema', async () => {
    const { variables, job } = await readGitlabTemplate();
    expect(job.image.name).toBe(PORTCULLIS_IMAGE);
    expect(job.image.entrypoint).toEqual(['']);
    expect(job.artifacts.reports.container_scanning).toBe('gl-container-scanning-report.json');
    expect(job.artifacts.when).toBe('always');
    const env = expandVariables(
      { ...variables, ...job.variables },
      {
        CI_PROJECT_DIR: workspace,
        CS_IMAGE: source,
        PORTCULLIS_DATA_MIRROR: SHARED_DATA,
      },
    );
    // The runner runs the script's lines in one shell that stops at the first failing line.
    const run = await runScript(['bash', '-eo', 'pipefail', '-c'], job.script.join('\n'), workspace, {
      ...baseEnv,
      ...env,
    });
    expectRan(run, 0, 'gitlab job');
    const report = JSON.parse(
      await readFile(join(workspace, 'gl-container-scanning-report.json'), 'utf8'),
    ) as {
      vulnerabilities: { name: string; location: { image: string; operating_system: string } }[];
    };
    const validate = await gitlabReportValidator();
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    expect(report.vulnerabilities.length).toBeGreaterThan(0);
    expect(report.vulnerabilities[0]?.location.operating_system).toMatch(/^debian 12/);
    // The same findings as the GitHub Action's SARIF log of the same image and data.
    const sarif = JSON.parse(await readFile(join(workspace, 'portcullis.sarif'), 'utf8')) as Sarif;
    const unsuppressed = sarif.runs[0]?.results.filter((r) => !r.suppressions) ?? [];
    expect(new Set(report.vulnerabilities.map((v) => v.name))).toEqual(
      new Set(unsuppressed.map((r) => r.ruleId)),
    );
  });
});

describe('Jenkins pipeline (Jenkinsfile)', () => {
  it('runs its sh steps: SARIF and JUnit written, the build failing on FAIL_ON=high', async () => {
    const text = await readFile(JENKINSFILE, 'utf8');
    expect(text).toContain(`image '${PORTCULLIS_IMAGE}'`);
    expect(text, 'no Groovy-interpolated sh steps').not.toMatch(/\bsh\s+"/);
    const stages = jenkinsStages(text);
    expect(stages.map((s) => s.name)).toEqual(['Vulnerability data', 'Scan', 'Policy']);
    const params: Record<string, string> = { IMAGE: source, FAIL_ON: 'high', POLICY: '' };
    const env = {
      ...baseEnv,
      ...params,
      WORKSPACE: workspace,
      PORTCULLIS_CACHE_DIR: `${workspace}/.portcullis-cache`,
      PORTCULLIS_DATA_MIRROR: SHARED_DATA,
    };
    expect(text).toContain('PORTCULLIS_CACHE_DIR = "${env.WORKSPACE}/.portcullis-cache"');
    let failed: { stage: string; run: ScriptRun } | undefined;
    for (const stage of stages) {
      if (stage.when && !params[stage.when]?.trim()) continue;
      for (const sh of stage.sh) {
        // Jenkins runs each sh step as `sh -xe`; the build stops at the first failing one.
        const run = await runScript(['sh', '-xe', '-c'], sh, workspace, env);
        if (run.code !== 0) failed = { stage: stage.name, run };
        if (failed) break;
      }
      if (failed) break;
    }
    expect(failed?.stage).toBe('Scan');
    expectRan(failed!.run, 2, 'scan --fail-on high');
    const sarif = JSON.parse(await readFile(join(workspace, 'portcullis.sarif'), 'utf8')) as Sarif;
    expect((await sarifValidator())(sarif)).toBe(true);
    const junit = join(workspace, 'portcullis-junit.xml');
    execFileSync('xmllint', ['--noout', junit]);
    const cases = Number(execFileSync('xmllint', ['--xpath', 'count(//testcase)', junit]).toString());
    expect(cases).toBe(sarif.runs[0]?.results.length);
  });
});
