/**
 * Every object the deploy/kubernetes overlays render, validated against the Kubernetes API
 * schemas shipped by the `kubernetes-models` packages (v5; cert-manager's from
 * `@kubernetes-models/cert-manager`). They are devDependencies the lead adds:
 *   npm install -D kubernetes-models @kubernetes-models/cert-manager
 * The modules are loaded by computed name so the project type-checks before they are installed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OVERLAYS, renderOverlay, type K8sObject } from './manifest-render.js';

interface Model {
  validate(): void;
}
type ModelClass = new (data: object) => Model;

/** One module per model, laid out by apiVersion: kubernetes-models/apps/v1/Deployment. */
function modelModule(apiVersion: string, kind: string): string {
  if (apiVersion.startsWith('cert-manager.io/'))
    return `@kubernetes-models/cert-manager/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function modelClass(object: K8sObject): Promise<ModelClass> {
  const specifier = modelModule(object.apiVersion, object.kind);
  let module: Record<string, unknown>;
  try {
    module = (await import(specifier)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(
      `cannot load ${specifier} (run: npm install -D kubernetes-models @kubernetes-models/cert-manager): ${(err as Error).message}`,
    );
  }
  const model = module[object.kind];
  if (typeof model !== 'function') throw new Error(`${specifier} has no model for ${object.kind}`);
  return model as ModelClass;
}

async function schemaErrors(object: K8sObject): Promise<string | undefined> {
  const Model = await modelClass(object);
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe.each(OVERLAYS)('overlay %s against the Kubernetes API schemas', (overlay) => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await renderOverlay(overlay);
  });

  it('every rendered object validates', async () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      expect(await schemaErrors(object), `${object.kind}/${object.metadata.name}`).toBeUndefined();
    }
  });

  it('the validator rejects what the API server would (a control for the check above)', async () => {
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment) as K8sObject;
    (broken['spec'] as Record<string, unknown>)['replicas'] = 'three';
    expect(await schemaErrors(broken)).toMatch(/replicas/);
    const webhook = structuredClone(
      objects.find((o) => o.kind === 'ValidatingWebhookConfiguration'),
    ) as K8sObject;
    delete (webhook['webhooks'] as Array<Record<string, unknown>>)[0]!['sideEffects'];
    expect(await schemaErrors(webhook)).toMatch(/sideEffects/);
  });
});
