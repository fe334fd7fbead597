/** Renders the deploy/kubernetes overlays with the real `kubectl kustomize` (tests only). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const KUBERNETES_DEPLOY_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
export const OVERLAYS = ['single-process', 'scale-out', 'scale-out-cert-manager'] as const;

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
} & Record<string, unknown>;

export async function renderOverlay(overlay: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', `${KUBERNETES_DEPLOY_DIR}overlays/${overlay}`], {
    timeout: 60_000,
  });
  return parseAllDocuments(stdout)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}
