import { describe, expect, it } from 'vitest';
import { dockerfileFromHistory, parseDockerfile, portNumbers } from './dockerfile.js';

describe('parseDockerfile', () => {
  it('reads instructions, joins continuations, skips comments and blank lines', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      '',
      'from alpine:3.20',
      'RUN apk add \\',
      '  # inner comment',
      '    curl',
      'USER 1000:1000',
      '',
    ].join('\n');
    expect(parseDockerfile(text)).toEqual([
      { instruction: 'FROM', value: 'alpine:3.20', line: 3 },
      { instruction: 'RUN', value: 'apk add curl', line: 4 },
      { instruction: 'USER', value: '1000:1000', line: 7 },
    ]);
  });
  it('handles CRLF and an unterminated continuation at end of file', () => {
    expect(parseDockerfile('FROM a\r\nRUN x \\')).toEqual([{ instruction: 'FROM', value: 'a', line: 1 }]);
  });
});

describe('dockerfileFromHistory', () => {
  it('turns #(nop) entries into instructions and the rest into RUN', () => {
    const text = dockerfileFromHistory([
      { createdBy: '/bin/sh -c #(nop) ADD file:abc in / ', emptyLayer: false },
      { createdBy: '/bin/sh -c #(nop)  CMD ["bash"]', emptyLayer: true },
      { createdBy: '/bin/sh -c apt-get update', emptyLayer: false },
      { createdBy: 'EXPOSE map[22/tcp:{}]', emptyLayer: true },
      { createdBy: 'RUN /bin/sh -c echo hi # buildkit', emptyLayer: false },
    ]);
    expect(text.split('\n')).toEqual([
      'ADD file:abc in /',
      'CMD ["bash"]',
      'RUN /bin/sh -c apt-get update',
      'EXPOSE map[22/tcp:{}]',
      'RUN /bin/sh -c echo hi # buildkit',
    ]);
  });
});

describe('portNumbers', () => {
  it('reads EXPOSE arguments and config keys', () => {
    expect(portNumbers(['22 8080/tcp', '53/udp', '$PORT'])).toEqual([22, 8080, 53]);
  });
});
