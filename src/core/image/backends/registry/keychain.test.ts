import { describe, expect, it } from 'vitest';
import { coversRepository, Keychain, parseKeychainKey } from './keychain.js';

const cred = (username: string) => ({ username, password: `${username}-secret` });

describe('parseKeychainKey', () => {
  it.each([
    ['registry.example.com', { registry: 'registry.example.com', repositoryPrefix: '' }],
    ['Registry.Example.com/team-a/', { registry: 'registry.example.com', repositoryPrefix: 'team-a' }],
    ['127.0.0.1:5000/team-a/app', { registry: '127.0.0.1:5000', repositoryPrefix: 'team-a/app' }],
  ])('%s', (key, expected) => expect(parseKeychainKey(key)).toEqual(expected));
});

describe('coversRepository', () => {
  it.each([
    ['', 'anything/at/all', true],
    ['team-a', 'team-a', true],
    ['team-a', 'team-a/app', true],
    ['team-a', 'team-ab/app', false],
    ['team-a/app', 'team-a/other', false],
  ])('prefix %j covers %j: %s', (prefix, repository, covers) =>
    expect(coversRepository(prefix, repository)).toBe(covers),
  );
});

describe('Keychain.resolve', () => {
  const keychain = Keychain.fromKeys(
    {
      'registry.example.com': cred('host'),
      'registry.example.com/team-a/': cred('team-a'),
      'registry.example.com/team-a/secret-app': cred('secret-app'),
      'other.example.com/team-b': cred('team-b'),
    },
    'test',
  );

  it('gives the most specific entry for the repository', async () => {
    expect((await keychain.resolve('registry.example.com', 'team-a/secret-app')).credential).toEqual(
      cred('secret-app'),
    );
    expect((await keychain.resolve('registry.example.com', 'team-a/app')).credential).toEqual(cred('team-a'));
    expect((await keychain.resolve('registry.example.com', 'team-ab/app')).credential).toEqual(cred('host'));
    expect((await keychain.resolve('registry.example.com', 'library/nginx')).credential).toEqual(
      cred('host'),
    );
  });

  it('applies a prefix entry only under its prefix, and never on another host', async () => {
    expect((await keychain.resolve('other.example.com', 'team-b/app')).credential).toEqual(cred('team-b'));
    expect((await keychain.resolve('other.example.com', 'team-c/app')).credential).toBeUndefined();
    expect((await keychain.resolve('third.example.com', 'team-a/app')).credential).toBeUndefined();
    expect((await keychain.resolve('registry.example.com:443', 'team-a/app')).credential).toBeUndefined();
  });

  it('treats Docker Hub aliases as one host', async () => {
    const hub = Keychain.fromKeys({ 'index.docker.io/acme': cred('acme') }, 'test');
    expect((await hub.resolve('docker.io', 'acme/app')).credential).toEqual(cred('acme'));
    expect((await hub.resolve('docker.io', 'library/nginx')).credential).toBeUndefined();
  });

  it('survives a structured clone (the analysis child process gets it over IPC)', async () => {
    const copy = new Keychain(structuredClone(keychain.toInit()));
    expect((await copy.resolve('registry.example.com', 'team-a/app')).credential).toEqual(cred('team-a'));
    expect((await copy.resolve('registry.example.com', 'team-a/app')).source).toBe('test');
  });
});
