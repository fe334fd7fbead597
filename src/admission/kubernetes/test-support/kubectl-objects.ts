/**
 * Namespace and WhiteListItem objects rendered by the real `kubectl`, for the fake API server.
 * `kubectl create namespace --dry-run=client` and `kubectl label --local` need no cluster; a
 * WhiteListItem (an unknown kind without a server) is rendered by `kubectl label --local` too,
 * and checked against the shipped CRD's openAPIV3Schema with ajv.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { KUBERNETES_DEPLOY_DIR } from '../../manifest-render.js';

const run = promisify(execFile);

async function kubectl(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('kubectl', args, { timeout: 60_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** `kubectl label --local` over `object`: the labels as kubectl sets them. */
async function labelLocally(
  object: unknown,
  labels: Record<string, string>,
): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-kubectl-'));
  try {
    const file = join(dir, 'object.yaml');
    await writeFile(file, toYaml(object));
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    return await kubectl(['label', '--local', '-f', file, ...pairs, '--overwrite', '-o', 'json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function kubectlNamespace(
  name: string,
  labels: Record<string, string>,
): Promise<Record<string, unknown>> {
  const created = await kubectl(['create', 'namespace', name, '--dry-run=client', '-o', 'json']);
  return Object.keys(labels).length === 0 ? created : labelLocally(created, labels);
}

export interface WhiteListItemSpec {
  release: string;
  creator: string;
  reason: string;
  namespace?: string;
  expiresAt?: string;
}

let validator: ((value: unknown) => boolean) & { errors?: unknown } = Object.assign(() => false);
let loaded = false;

async function validateAgainstCrd(object: unknown): Promise<void> {
  if (!loaded) {
    const crd = parseYaml(
      await readFile(join(KUBERNETES_DEPLOY_DIR, 'base', 'crd-whitelistitems.yaml'), 'utf8'),
    ) as { spec: { versions: Array<{ schema: { openAPIV3Schema: object } }> } };
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    validator = ajv.compile(crd.spec.versions[0]!.schema.openAPIV3Schema);
    loaded = true;
  }
  if (!validator(object)) throw new Error(`not a valid WhiteListItem: ${JSON.stringify(validator.errors)}`);
}

export async function kubectlWhiteListItem(
  name: string,
  spec: WhiteListItemSpec,
): Promise<Record<string, unknown>> {
  const object = await labelLocally(
    { apiVersion: 'security.portcullis.dev/v1alpha1', kind: 'WhiteListItem', metadata: { name }, spec },
    { 'app.kubernetes.io/managed-by': 'portcullis-tests' },
  );
  await validateAgainstCrd(object);
  return object;
}
