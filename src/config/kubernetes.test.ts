import { describe, expect, it } from 'vitest';
import { resolveKubernetesApi, SERVICE_ACCOUNT_DIR } from './kubernetes.js';

describe('resolveKubernetesApi', () => {
  it('is absent outside a pod', () => {
    expect(resolveKubernetesApi({})).toBeUndefined();
    expect(resolveKubernetesApi({ KUBERNETES_SERVICE_HOST: '' })).toBeUndefined();
  });

  it("takes the API server from the kubelet's variables and the mounted service account", () => {
    expect(
      resolveKubernetesApi({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }),
    ).toEqual({
      apiUrl: 'https://10.96.0.1:443',
      tokenFile: `${SERVICE_ACCOUNT_DIR}/token`,
      caFile: `${SERVICE_ACCOUNT_DIR}/ca.crt`,
    });
    expect(
      resolveKubernetesApi({
        KUBERNETES_SERVICE_HOST: 'fd00::1',
        PORTCULLIS_KUBE_SERVICEACCOUNT_DIR: '/tmp/sa',
      }),
    ).toEqual({ apiUrl: 'https://[fd00::1]:443', tokenFile: '/tmp/sa/token', caFile: '/tmp/sa/ca.crt' });
  });

  it('refuses a port that is not one', () => {
    expect(() =>
      resolveKubernetesApi({ KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: 'https' }),
    ).toThrow(/KUBERNETES_SERVICE_PORT/);
  });
});
