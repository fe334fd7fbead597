import { describe, it, expect } from 'vitest';
import { isPortcullisError } from '../../errors.js';
import {
  familiarReference,
  fetchReference,
  formatReference,
  parseReference,
  registryEndpoint,
} from './parse.js';

const D256 = `sha256:${'a'.repeat(64)}`;
const D512 = `sha512:${'b'.repeat(128)}`;

// Expected values written from the distribution/reference grammar and Docker's normalization
// rules (docker.io default domain, library/ prefix for official images, latest default tag).
const valid: Array<[input: string, registry: string, repository: string, tag?: string, digest?: string]> = [
  ['nginx', 'docker.io', 'library/nginx', 'latest'],
  ['nginx:1.25', 'docker.io', 'library/nginx', '1.25'],
  ['nginx:Latest_1.x-y', 'docker.io', 'library/nginx', 'Latest_1.x-y'],
  ['docker.io/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['docker.io/library/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['index.docker.io/nginx', 'docker.io', 'library/nginx', 'latest'],
  ['index.docker.io/user/app:2', 'docker.io', 'user/app', '2'],
  ['user/app', 'docker.io', 'user/app', 'latest'],
  ['library/a/b', 'docker.io', 'library/a/b', 'latest'],
  ['localhost/a', 'localhost', 'a', 'latest'],
  ['localhost:5000/a', 'localhost:5000', 'a', 'latest'],
  ['localhost:5000/ns/a:v1', 'localhost:5000', 'ns/a', 'v1'],
  // No slash: "localhost:5000" is image "localhost" with tag "5000" on Docker Hub.
  ['localhost:5000', 'docker.io', 'library/localhost', '5000'],
  ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app', 'latest'],
  ['[::1]:5000/app:x', '[::1]:5000', 'app', 'x'],
  ['ghcr.io/org/team/app:1.0', 'ghcr.io', 'org/team/app', '1.0'],
  ['my-registry.example.com:8443/a/b', 'my-registry.example.com:8443', 'a/b', 'latest'],
  // An upper-case first component can only be a host: repository paths are lower case.
  ['Foo/bar', 'Foo', 'bar', 'latest'],
  ['a/b__c', 'docker.io', 'a/b__c', 'latest'],
  ['a/b.c_d--e', 'docker.io', 'a/b.c_d--e', 'latest'],
  [`nginx@${D256}`, 'docker.io', 'library/nginx', undefined, D256],
  [`nginx:1@${D256}`, 'docker.io', 'library/nginx', '1', D256],
  [`quay.io/a/b@${D512}`, 'quay.io', 'a/b', undefined, D512],
  [`nginx:${'t'.repeat(128)}`, 'docker.io', 'library/nginx', 't'.repeat(128)],
  // 255 characters of path ("library/" counts, the domain does not) is the limit.
  ['x'.repeat(247), 'docker.io', `library/${'x'.repeat(247)}`, 'latest'],
  [`ghcr.io/${'x'.repeat(255)}`, 'ghcr.io', 'x'.repeat(255), 'latest'],
];

const invalid: Array<[input: string, reason: RegExp]> = [
  ['', /at least one component/],
  ['NGINX', /must be lowercase/],
  ['user/App', /must be lowercase/],
  ['localhost:5000/App', /must be lowercase/],
  ['a'.repeat(64).replace(/a/g, 'f'), /64-byte hexadecimal/],
  ['nginx:', /invalid reference format/],
  ['nginx:-x', /invalid reference format/],
  [`nginx:${'t'.repeat(129)}`, /invalid reference format/],
  ['-nginx', /invalid reference format/],
  ['nginx-', /invalid reference format/],
  ['a/b___c', /invalid reference format/],
  ['a//b', /invalid reference format/],
  ['a/b/', /invalid reference format/],
  ['host:port/a', /invalid reference format/],
  ['-host.com/a', /invalid reference format/],
  ['nginx@sha256:abc', /invalid reference format/],
  [`nginx@sha256:${'a'.repeat(40)}`, /digest length/],
  [`nginx@sha256:${'A'.repeat(64)}`, /digest format/],
  [`nginx@md5:${'a'.repeat(32)}`, /unsupported digest algorithm "md5"/],
  ['nginx a', /invalid reference format/],
  ['x'.repeat(248), /not be more than 255 characters/],
  [`ghcr.io/${'x'.repeat(256)}`, /not be more than 255 characters/],
];

describe('parseReference', () => {
  it.each(valid)('%s', (input, registry, repository, tag, digest) => {
    const ref = parseReference(input);
    expect(ref.registry).toBe(registry);
    expect(ref.repository).toBe(repository);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
  });

  it.each(invalid)('refuses %j', (input, reason) => {
    let error: unknown;
    try {
      parseReference(input);
    } catch (err) {
      error = err;
    }
    expect(isPortcullisError(error, 'INVALID_REFERENCE')).toBe(true);
    expect((error as Error).message).toMatch(reason);
  });
});

describe('reference formatting', () => {
  const cases: Array<[input: string, full: string, familiar: string, fetch: string]> = [
    ['nginx', 'docker.io/library/nginx:latest', 'nginx:latest', 'latest'],
    ['user/app:1', 'docker.io/user/app:1', 'user/app:1', '1'],
    ['library/a/b', 'docker.io/library/a/b:latest', 'library/a/b:latest', 'latest'],
    ['localhost:5000/a', 'localhost:5000/a:latest', 'localhost:5000/a:latest', 'latest'],
    [`nginx:1@${D256}`, `docker.io/library/nginx:1@${D256}`, `nginx:1@${D256}`, D256],
    [`ghcr.io/o/a@${D256}`, `ghcr.io/o/a@${D256}`, `ghcr.io/o/a@${D256}`, D256],
  ];
  it.each(cases)('%s', (input, full, familiar, fetch) => {
    const ref = parseReference(input);
    expect(formatReference(ref)).toBe(full);
    expect(familiarReference(ref)).toBe(familiar);
    expect(fetchReference(ref)).toBe(fetch);
  });

  it('re-parsing the normalized form is stable', () => {
    for (const [input] of valid) {
      const once = parseReference(input);
      expect(parseReference(formatReference(once))).toEqual(once);
    }
  });

  it('maps docker.io to its API host and leaves others alone', () => {
    expect(registryEndpoint('docker.io')).toBe('registry-1.docker.io');
    expect(registryEndpoint('localhost:5000')).toBe('localhost:5000');
    expect(registryEndpoint('ghcr.io')).toBe('ghcr.io');
  });
});
