/**
 * The Kubernetes manifests run the image scripts/build-image.ts makes: its reference, its user,
 * its entrypoint (the manifests pass only `serve ...` arguments) and the ports its environment
 * makes the service listen on.
 */
import { describe, expect, it } from 'vitest';
import { OVERLAYS, renderOverlay } from '../../src/admission/manifest-render.js';
import { ADMISSION_PORT, HTTP_PORT, PORTCULLIS_IMAGE, USER } from '../../scripts/image/config.js';

interface PodSpec {
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  containers: {
    image: string;
    command?: string[];
    args?: string[];
    ports?: { name: string; containerPort: number }[];
  }[];
}

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  it('runs the Portcullis image as its user, with serve arguments on the image ports', async () => {
    const deployments = (await renderOverlay(overlay)).filter((o) => o.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const pod = (d as unknown as { spec: { template: { spec: PodSpec } } }).spec.template.spec;
      expect(pod.securityContext?.runAsUser, d.metadata.name).toBe(USER.uid);
      expect(pod.securityContext?.runAsGroup, d.metadata.name).toBe(USER.gid);
      for (const c of pod.containers) {
        expect(c.image).toBe(PORTCULLIS_IMAGE);
        expect(c.command, 'the image entrypoint is used').toBeUndefined();
        expect(c.args?.[0]).toBe('serve');
        for (const p of c.ports ?? []) {
          expect(p.containerPort, p.name).toBe(p.name === 'webhook' ? ADMISSION_PORT : HTTP_PORT);
        }
      }
    }
  });
});
