import { describe, expect, it } from 'vitest';
import type { ImageConfigFile } from '../image/types.js';
import { configFacts, dockerfileFor } from './adapt-config.js';
import { fire, makeInput } from './test-support.js';

// Shaped like `docker image inspect` output of an image built with the classic builder.
const CONFIG: ImageConfigFile = {
  architecture: 'amd64',
  os: 'linux',
  config: {
    User: '',
    Env: ['PATH=/usr/bin'],
    ExposedPorts: { '22/tcp': {}, '8080/tcp': {} },
    Cmd: ['/usr/sbin/sshd', '-D'],
    Labels: { maintainer: 'x' },
    Healthcheck: { Test: ['NONE'] },
  },
  rootfs: { type: 'layers', diff_ids: [] },
  history: [
    { created_by: '/bin/sh -c #(nop) ADD file:1234 in / ' },
    { created_by: '/bin/sh -c apt-get update && apt-get install -y openssh-server' },
    { created_by: '/bin/sh -c #(nop)  EXPOSE 22', empty_layer: true },
    { created_by: '/bin/sh -c #(nop)  CMD ["/usr/sbin/sshd" "-D"]', empty_layer: true },
  ],
};

describe('configFacts / dockerfileFor', () => {
  it('maps the OCI config; HEALTHCHECK NONE means no healthcheck', () => {
    const facts = configFacts(CONFIG);
    expect(facts).toMatchObject({
      user: '',
      exposedPorts: ['22/tcp', '8080/tcp'],
      cmd: ['/usr/sbin/sshd', '-D'],
      entrypoint: [],
    });
    expect(facts.healthcheck).toBeUndefined();
    expect(facts.history[2]).toEqual({ createdBy: '/bin/sh -c #(nop)  EXPOSE 22', emptyLayer: true });
  });

  it('reconstructs a Dockerfile the dockerfile gate reads', () => {
    const dockerfile = dockerfileFor(CONFIG);
    expect(dockerfile.source).toBe('reconstructed');
    const input = makeInput({ config: configFacts(CONFIG), dockerfile });
    expect(
      fire(
        {
          gate: 'dockerfile',
          trigger: 'exposed_ports',
          params: { ports: '22', actual_dockerfile_only: 'false' },
        },
        input,
      ),
    ).toHaveLength(1);
    const apt = {
      gate: 'dockerfile',
      trigger: 'instruction',
      params: {
        instruction: 'RUN',
        check: 'like',
        value: '(\\s*/bin/sh\\s*-c\\s*)*\\s*apt(-get)*.*up(date|grade)\\s*$',
      },
    };
    // The CIS bundle's regex wants update/upgrade at the end of the RUN line; here it is not.
    expect(fire(apt, input)).toEqual([]);
    expect(dockerfileFor(CONFIG, 'FROM scratch').source).toBe('supplied');
  });
});
