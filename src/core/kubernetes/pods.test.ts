import { describe, expect, it } from 'vitest';
import { digestOfImageId, parsePodList, runningImages } from './pods.js';
import { buildPolicyReport } from './policy-report.js';
import { deploymentTemplate, podList, policyReportValidator, runningPod } from './test-support/pods.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('digestOfImageId', () => {
  it.each([
    [`docker-pullable://registry.example/app@${D1}`, D1],
    [`docker.io/library/nginx@${D1}`, D1],
    [D1, undefined],
    ['', undefined],
  ])('%s → %s', (id, digest) => expect(digestOfImageId(id)).toBe(digest));
});

describe('runningImages', () => {
  it("lists the namespace's running images once each, pinned to the kubelet's digest, with their pods", async () => {
    const web = await deploymentTemplate('web', 'registry.example:5000/shop/web:1', 'shop');
    const job = await deploymentTemplate('job', 'busybox', 'shop');
    const pods = parsePodList(
      podList([
        runningPod(web, 'web-7d9c8b5f4-a', 'shop', `registry.example:5000/shop/web@${D1}`),
        runningPod(web, 'web-7d9c8b5f4-b', 'shop', `registry.example:5000/shop/web@${D1}`),
        runningPod(job, 'job-1', 'shop', `docker.io/library/busybox@${D2}`, 'Succeeded'),
        runningPod(web, 'web-other', 'elsewhere', `registry.example:5000/shop/web@${D1}`),
        {
          ...runningPod(job, 'init-only', 'shop', ''),
          spec: { ...job.spec, initContainers: [{ name: 'setup', image: `alpine@${D2}` }] },
        },
      ]),
      'test',
    );
    expect(runningImages(pods, 'shop')).toEqual([
      {
        image: 'registry.example:5000/shop/web:1',
        reference: `registry.example:5000/shop/web@${D1}`,
        digest: D1,
        pods: ['web-7d9c8b5f4-a', 'web-7d9c8b5f4-b'].map((name) => ({
          apiVersion: 'v1',
          kind: 'Pod',
          name,
          namespace: 'shop',
          uid: `uid-${name}`,
        })),
      },
      {
        image: 'busybox',
        reference: 'docker.io/library/busybox:latest',
        pods: [{ apiVersion: 'v1', kind: 'Pod', name: 'init-only', namespace: 'shop', uid: 'uid-init-only' }],
      },
      {
        image: `alpine@${D2}`,
        reference: `docker.io/library/alpine@${D2}`,
        digest: D2,
        pods: [{ apiVersion: 'v1', kind: 'Pod', name: 'init-only', namespace: 'shop', uid: 'uid-init-only' }],
      },
    ]);
  });

  it('refuses what is not a pod list', () => {
    expect(() => parsePodList({ items: [{ kind: 'Pod' }] }, 'pods.json')).toThrow(
      /pods.json is not a pod list/,
    );
  });
});

describe('buildPolicyReport', () => {
  it('reports an image that could not be evaluated as an error result, valid against the CRD', async () => {
    const validate = await policyReportValidator();
    const report = buildPolicyReport(
      'shop',
      [
        {
          image: 'registry.example/web:1',
          reference: 'registry.example/web:1',
          pods: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'shop' }],
          error: 'registry.example refused the credentials',
        },
      ],
      'reject-critical',
      new Date('2026-01-02T03:04:05.678Z'),
    );
    expect(validate(report)).toBeNull();
    expect(report.summary).toEqual({ pass: 0, fail: 0, warn: 0, error: 1, skip: 0 });
    expect(report.results[0]).toMatchObject({
      policy: 'reject-critical',
      result: 'error',
      timestamp: { seconds: 1767323045, nanos: 0 },
      message: 'registry.example refused the credentials',
    });
    expect(report.metadata).toMatchObject({ name: 'portcullis-shop', namespace: 'shop' });
  });
});
