/**
 * Pod lists for the Kubernetes tests: the pod template comes from the real kubectl
 * (`kubectl create deployment --dry-run=client -o json`, which needs no cluster), the pods and
 * their kubelet status are what the Deployment's ReplicaSet would run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';

interface Template {
  metadata: Record<string, unknown>;
  spec: { containers: { name: string; image: string }[] };
}

export async function deploymentTemplate(name: string, image: string, namespace: string): Promise<Template> {
  const { stdout } = await promisify(execFile)('kubectl', [
    'create',
    'deployment',
    name,
    `--image=${image}`,
    `--namespace=${namespace}`,
    '--dry-run=client',
    '-o',
    'json',
  ]);
  return (JSON.parse(stdout) as { spec: { template: Template } }).spec.template;
}

/** A running pod of the template; `imageId` is what the kubelet reports (digest pinned). */
export function runningPod(
  template: Template,
  name: string,
  namespace: string,
  imageId: string,
  phase = 'Running',
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name, namespace, uid: `uid-${name}` },
    spec: template.spec,
    status: {
      phase,
      containerStatuses: template.spec.containers.map((c) => ({
        name: c.name,
        image: c.image,
        imageID: imageId,
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      })),
    },
  };
}

export const podList = (items: unknown[]) => ({
  apiVersion: 'v1',
  kind: 'List',
  metadata: { resourceVersion: '' },
  items,
});

/** A validator of the PolicyReport CRD's schema facts (test-support fixture). */
export async function policyReportValidator() {
  const schema = JSON.parse(
    await readFile(new URL('./policyreport-v1alpha2.schema.json', import.meta.url), 'utf8'),
  ) as object;
  const ajv = new Ajv({ allErrors: true, strict: true, formats: { int32: true, int64: true } });
  const validate = ajv.compile(schema);
  return (value: unknown): string | null => (validate(value) ? null : ajv.errorsText(validate.errors));
}
