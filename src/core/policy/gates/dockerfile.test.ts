import { describe, expect, it } from 'vitest';
import { fire, makeInput } from '../test-support.js';
import type { PolicyInput } from '../input.js';

const DOCKERFILE = [
  'FROM debian:12',
  '# comment',
  'ADD https://example.com/tool.tgz /opt/',
  'RUN apt-get update && \\',
  '    apt-get install -y curl',
  'EXPOSE 22 8080/tcp',
  'USER app',
  'CMD ["/app"]',
].join('\n');
const supplied = (text = DOCKERFILE): Partial<PolicyInput> => ({ dockerfile: { text, source: 'supplied' } });
const reconstructed: Partial<PolicyInput> = { dockerfile: { text: DOCKERFILE, source: 'reconstructed' } };
const instruction = (params: Record<string, string>) => ({
  gate: 'dockerfile',
  trigger: 'instruction',
  params,
});
const messages = (rule: Parameters<typeof fire>[0], over: Partial<PolicyInput>) =>
  fire(rule, makeInput(over)).map((t) => t.message);

describe('dockerfile/instruction', () => {
  it('exists / not_exists', () => {
    expect(messages(instruction({ instruction: 'ADD', check: 'exists' }), supplied())).toHaveLength(1);
    expect(messages(instruction({ instruction: 'VOLUME', check: 'exists' }), supplied())).toEqual([]);
    expect(messages(instruction({ instruction: 'HEALTHCHECK', check: 'not_exists' }), supplied())).toEqual([
      "Dockerfile directive 'HEALTHCHECK' not found, matching condition 'not_exists' check",
    ]);
    expect(messages(instruction({ instruction: 'USER', check: 'not_exists' }), supplied())).toEqual([]);
  });
  it('=, !=, in, not_in compare the argument text', () => {
    expect(
      messages(instruction({ instruction: 'FROM', check: '=', value: 'debian:12' }), supplied()),
    ).toHaveLength(1);
    expect(
      messages(instruction({ instruction: 'FROM', check: '!=', value: 'debian:12' }), supplied()),
    ).toEqual([]);
    expect(
      messages(instruction({ instruction: 'FROM', check: 'in', value: 'alpine:3,debian:12' }), supplied()),
    ).toHaveLength(1);
    expect(
      messages(
        instruction({ instruction: 'FROM', check: 'not_in', value: 'alpine:3,debian:12' }),
        supplied(),
      ),
    ).toEqual([]);
  });
  it('like / not_like apply a regex at the start (joined continuation lines)', () => {
    const rule = instruction({ instruction: 'RUN', check: 'like', value: 'apt-get update.*install' });
    expect(messages(rule, supplied())).toEqual([
      "Dockerfile directive 'RUN' check 'like' matched against 'apt-get update.*install' for line 'apt-get update && apt-get install -y curl'",
    ]);
    expect(
      messages(instruction({ instruction: 'RUN', check: 'like', value: 'install' }), supplied()),
    ).toEqual([]);
    expect(
      messages(instruction({ instruction: 'RUN', check: 'not_like', value: 'install' }), supplied()),
    ).toHaveLength(1);
  });
  it('actual_dockerfile_only ignores a reconstructed Dockerfile', () => {
    const rule = instruction({ instruction: 'ADD', check: 'exists', actual_dockerfile_only: 'true' });
    expect(messages(rule, reconstructed)).toEqual([]);
    expect(messages(rule, supplied())).toHaveLength(1);
    expect(messages(instruction({ instruction: 'ADD', check: 'exists' }), reconstructed)).toHaveLength(1);
  });
});

describe('dockerfile/effective_user', () => {
  const rule = (users: string, type: string) => ({
    gate: 'dockerfile',
    trigger: 'effective_user',
    params: { users, type },
  });
  it('blacklist fires for root when no USER is set, whitelist for unlisted users', () => {
    expect(messages(rule('root', 'blacklist'), {})).toEqual([
      'User root found as effective user, which is in the blacklist',
    ]);
    expect(
      messages(rule('app', 'whitelist'), { config: { ...makeInput().config, user: 'nobody:nogroup' } }),
    ).toEqual(['User nobody found as effective user, which is not in the whitelist']);
  });
  it.each(['0', '0:0', 'root:root', '0:somegroup', 'root:1000'])(
    'USER %s is root: fires for a root blacklist given by name or uid, from config or Dockerfile',
    (user) => {
      const config = { ...makeInput().config, user };
      expect(messages(rule('root', 'blacklist'), { config })).toHaveLength(1);
      expect(messages(rule('0', 'blacklist'), { config })).toHaveLength(1);
      expect(messages(rule('root', 'blacklist'), supplied(`FROM debian:12\nUSER ${user}`))).toHaveLength(1);
      expect(messages(rule('root,app', 'whitelist'), { config })).toEqual([]);
    },
  );
  it('a non-root uid with the root group is not root', () => {
    const config = { ...makeInput().config, user: '1000:0' };
    expect(messages(rule('root,0', 'blacklist'), { config })).toEqual([]);
  });
  it('does not fire for an allowed user (from the Dockerfile USER or the config)', () => {
    expect(messages(rule('root', 'blacklist'), supplied())).toEqual([]);
    expect(messages(rule('app', 'whitelist'), supplied())).toEqual([]);
  });
});

describe('dockerfile/exposed_ports', () => {
  const rule = (ports: string, type?: string, actual?: string) => ({
    gate: 'dockerfile',
    trigger: 'exposed_ports',
    params: { ports, ...(type ? { type } : {}), ...(actual ? { actual_dockerfile_only: actual } : {}) },
  });
  it('blacklist fires per listed exposed port; whitelist per unlisted one', () => {
    expect(messages(rule('22', 'blacklist'), supplied())).toEqual([
      'Dockerfile exposes port (22) which is in the policy blacklist',
    ]);
    expect(messages(rule('8080', 'whitelist'), supplied())).toEqual([
      'Dockerfile exposes port (22) which is not in the policy whitelist',
    ]);
  });
  it('reads config ports too, unless actual_dockerfile_only', () => {
    const config = { ...makeInput().config, exposedPorts: ['22/tcp'] };
    expect(messages(rule('22'), { config })).toHaveLength(1);
    expect(messages(rule('22', 'blacklist', 'true'), { config })).toEqual([]);
  });
  it('does not fire when no listed port is exposed', () => {
    expect(messages(rule('23,443', 'blacklist'), supplied())).toEqual([]);
  });
});

describe('dockerfile/no_dockerfile_provided', () => {
  const rule = { gate: 'dockerfile', trigger: 'no_dockerfile_provided' };
  it('fires without a supplied Dockerfile', () => {
    expect(messages(rule, reconstructed)).toEqual(['Image was not analyzed with an actual Dockerfile']);
    expect(messages(rule, {})).toHaveLength(1);
  });
  it('does not fire with one', () => {
    expect(messages(rule, supplied())).toEqual([]);
  });
});
