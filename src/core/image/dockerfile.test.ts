import { describe, expect, it } from 'vitest';
import { instructionFromHistory, reconstructDockerfile, renderDockerfile } from './dockerfile.js';

describe('Dockerfile reconstruction from history', () => {
  it.each([
    ['/bin/sh -c #(nop) ADD file:9b5b2d0a2f in / ', 'ADD', '<context> /'],
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD', '["bash"]'],
    [
      '/bin/sh -c apt-get update && apt-get install -y curl',
      'RUN',
      'apt-get update && apt-get install -y curl',
    ],
    ['/bin/sh -c #(nop)  EXPOSE 22/tcp', 'EXPOSE', '22/tcp'],
    ['/bin/sh -c #(nop)  USER app', 'USER', 'app'],
    ['RUN /bin/sh -c npm ci # buildkit', 'RUN', 'npm ci'],
    ['COPY . /app # buildkit', 'COPY', '. /app'],
    ['ENTRYPOINT ["/docker-entrypoint.sh"]', 'ENTRYPOINT', '["/docker-entrypoint.sh"]'],
    ['|1 VERSION=1.2 /bin/sh -c make install', 'RUN', 'make install'],
    [
      'HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/"] "30s" "3s" "0s" \'\\x03\'}',
      'HEALTHCHECK',
      '&{["CMD-SHELL" "curl -f http://localhost/"] "30s" "3s" "0s" \'\\x03\'}',
    ],
  ])('%s', (createdBy, instruction, args) => {
    expect(instructionFromHistory(createdBy)).toEqual({ instruction, arguments: args });
  });

  it('skips entries without created_by and renders one instruction per line', () => {
    const lines = reconstructDockerfile([
      { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      { comment: 'imported' },
      { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    ]);
    expect(lines.map((l) => l.historyIndex)).toEqual([0, 2]);
    expect(renderDockerfile(lines)).toBe('ADD <context> /\nCMD ["bash"]\n');
  });
});
