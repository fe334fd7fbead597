/**
 * Reads the CI integrations as their CI systems would: the GitHub Action's composite steps with
 * their `env` expressions, the GitLab job's variables and script, the Jenkinsfile's stages and
 * `sh` steps. The test then runs the scripts exactly as written with a `portcullis` on PATH.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const REPO = join(import.meta.dirname, '..', '..');

const ActionStep = z.object({
  id: z.string().optional(),
  name: z.string(),
  if: z.string().optional(),
  uses: z.string().optional(),
  shell: z.string().optional(),
  run: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  with: z.record(z.string(), z.string()).optional(),
});
export type ActionStep = z.infer<typeof ActionStep>;

const Action = z.object({
  name: z.string(),
  inputs: z.record(
    z.string(),
    z.object({ description: z.string(), required: z.boolean().optional(), default: z.string().optional() }),
  ),
  runs: z.object({ using: z.literal('composite'), steps: z.array(ActionStep) }),
});
export type Action = z.infer<typeof Action>;

export async function readAction(): Promise<Action> {
  return Action.parse(parse(await readFile(join(REPO, 'action.yml'), 'utf8')));
}

/** `${{ inputs.x }}`, `${{ runner.temp }}`: the only expressions the action's env may use. */
export function expandExpressions(text: string, context: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_m, name: string) => {
    const value = context[name];
    if (value === undefined) throw new Error(`action.yml: no value for \${{ ${name} }}`);
    return value;
  });
}

/** The context a runner gives: every input (given or its default) and runner.temp. */
export function actionContext(
  action: Action,
  given: Readonly<Record<string, string>>,
  runnerTemp: string,
): Record<string, string> {
  const context: Record<string, string> = { 'runner.temp': runnerTemp };
  for (const [name, input] of Object.entries(action.inputs)) {
    context[`inputs.${name}`] = given[name] ?? input.default ?? '';
  }
  return context;
}

const GitlabJob = z.object({
  image: z.object({ name: z.string(), entrypoint: z.array(z.string()) }),
  variables: z.record(z.string(), z.string()),
  script: z.array(z.string()),
  artifacts: z.object({
    when: z.string(),
    reports: z.object({ container_scanning: z.string() }),
    paths: z.array(z.string()),
  }),
});
export type GitlabJob = z.infer<typeof GitlabJob>;

export const GITLAB_TEMPLATE = join(REPO, 'integrations/gitlab/portcullis-container-scanning.gitlab-ci.yml');

export async function readGitlabTemplate(): Promise<{ variables: Record<string, string>; job: GitlabJob }> {
  const doc = z
    .object({ variables: z.record(z.string(), z.string()), portcullis_container_scanning: GitlabJob })
    .parse(parse(await readFile(GITLAB_TEMPLATE, 'utf8')));
  return { variables: doc.variables, job: doc.portcullis_container_scanning };
}

/** GitLab expands `$NAME` and `${NAME}` in variable values from the variables already known. */
export function expandVariables(
  variables: Readonly<Record<string, string>>,
  known: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = { ...known };
  for (const [name, value] of Object.entries(variables)) {
    if (name in known) continue;
    out[name] = value.replace(/\$\{?(\w+)\}?/g, (_m, ref: string) => out[ref] ?? '');
  }
  return out;
}

export interface JenkinsStage {
  name: string;
  when?: string;
  sh: string[];
}

export const JENKINSFILE = join(REPO, 'integrations/jenkins/Jenkinsfile');

/** The stages in order with their single-quoted `sh` steps (no Groovy interpolation). */
export function jenkinsStages(text: string): JenkinsStage[] {
  const starts = [...text.matchAll(/stage\('([^']+)'\)\s*\{/g)];
  return starts.map((m, i) => {
    const body = text.slice(m.index, starts[i + 1]?.index ?? text.indexOf('post {'));
    const when = /when\s*\{\s*expression\s*\{\s*params\.(\w+)/.exec(body)?.[1];
    return {
      name: m[1] ?? '',
      ...(when ? { when } : {}),
      sh: [...body.matchAll(/\bsh '([^']*)'/g)].map((s) => s[1] ?? ''),
    };
  });
}

export interface ScriptRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `script` with `shell -c`, as the CI system would, in `cwd` with exactly `env`. */
export function runScript(
  shell: readonly string[],
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const [cmd, ...args] = shell;
    const child = spawn(cmd ?? 'bash', [...args, script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
