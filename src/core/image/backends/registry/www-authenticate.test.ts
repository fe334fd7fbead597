import { describe, it, expect } from 'vitest';
import { parseWwwAuthenticate } from './www-authenticate.js';

// Expected challenges written by hand from RFC 7235 §4.1 and the registry token spec.
describe('parseWwwAuthenticate', () => {
  it('reads a Docker Hub bearer challenge', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://auth.docker.io/token',
          service: 'registry.docker.io',
          scope: 'repository:library/nginx:pull',
        },
      },
    ]);
  });

  it('keeps commas inside quoted scopes and reads error params', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://a/token", service="reg", scope="repository:a/b:pull,push", error="insufficient_scope"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://a/token',
          service: 'reg',
          scope: 'repository:a/b:pull,push',
          error: 'insufficient_scope',
        },
      },
    ]);
  });

  it('reads basic challenges, case-insensitive schemes and names, token values', () => {
    expect(parseWwwAuthenticate('BASIC Realm=registry')).toEqual([
      { scheme: 'basic', params: { realm: 'registry' } },
    ]);
  });

  it('splits several challenges in one header and across headers', () => {
    expect(parseWwwAuthenticate('Basic realm="r1", Bearer realm="https://t", service=s')).toEqual([
      { scheme: 'basic', params: { realm: 'r1' } },
      { scheme: 'bearer', params: { realm: 'https://t', service: 's' } },
    ]);
    expect(parseWwwAuthenticate(['Negotiate abc==', 'Basic realm="x"'])).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
    ]);
    expect(parseWwwAuthenticate('Basic, Bearer realm="y"')).toEqual([
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: { realm: 'y' } },
    ]);
  });

  it('unescapes quoted-pairs', () => {
    expect(parseWwwAuthenticate('Bearer realm="a\\"b\\\\c"')).toEqual([
      { scheme: 'bearer', params: { realm: 'a"b\\c' } },
    ]);
  });

  it('survives garbage without hanging or throwing', () => {
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate('Bearer realm="unterminated')).toEqual([
      { scheme: 'bearer', params: { realm: 'unterminated' } },
    ]);
    const weird = parseWwwAuthenticate('=== ,,, "x" Bearer realm=="q"');
    expect(weird.map((c) => c.scheme)).toContain('bearer');
    expect(parseWwwAuthenticate('x'.repeat(100_000) + ' a=b').length).toBe(1);
  });
});
