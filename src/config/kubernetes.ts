/**
 * Where the admission webhook finds the Kubernetes API from inside a pod (ADR 0028): the
 * service's address from KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT (set by the kubelet
 * in every pod), the service-account token and CA from the mounted service-account directory
 * (PORTCULLIS_KUBE_SERVICEACCOUNT_DIR overrides it, for tests). Outside a cluster there is none.
 */
import { join } from 'node:path';
import { PortcullisError } from '../core/errors.js';
import type { Env } from './index.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubernetesApiConfig {
  apiUrl: string;
  tokenFile: string;
  caFile: string;
}

export function resolveKubernetesApi(env: Env): KubernetesApiConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (host === undefined || host === '') return undefined;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535)
    throw new PortcullisError('CONFIG_INVALID', `KUBERNETES_SERVICE_PORT must be a port, got "${port}"`);
  const dir = env.PORTCULLIS_KUBE_SERVICEACCOUNT_DIR || SERVICE_ACCOUNT_DIR;
  return {
    apiUrl: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    tokenFile: join(dir, 'token'),
    caFile: join(dir, 'ca.crt'),
  };
}
