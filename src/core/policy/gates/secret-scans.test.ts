import { describe, expect, it } from 'vitest';
import { fire, makeInput } from '../test-support.js';

const input = makeInput({
  secrets: [
    { path: '/app/.env', rule: 'AWS_ACCESS_KEY', line: 3 },
    { path: '/root/.ssh/id_rsa', rule: 'PRIV_KEY', line: 1 },
  ],
});
const rule = (params: Record<string, string> = {}) => ({
  gate: 'secret_scans',
  trigger: 'content_regex_checks',
  params,
});

describe('secret_scans/content_regex_checks', () => {
  it('fires per secret found, filtered by rule names and file regex', () => {
    expect(fire(rule(), input)).toHaveLength(2);
    expect(
      fire(rule({ content_regex_name: 'AWS_ACCESS_KEY,AWS_SECRET_KEY' }), input).map((t) => t.message),
    ).toEqual([
      'Secret search analyzer found regexp match in container: file=/app/.env regexp=AWS_ACCESS_KEY',
    ]);
    expect(fire(rule({ filename_regex: '/root/.*' }), input)).toHaveLength(1);
  });
  it('does not fire when nothing matches the filters', () => {
    expect(fire(rule({ content_regex_name: 'DOCKER_AUTH' }), input)).toEqual([]);
    expect(fire(rule(), makeInput())).toEqual([]);
  });
  it('match_type=notfound fires only when nothing is found', () => {
    expect(fire(rule({ content_regex_name: 'DOCKER_AUTH', match_type: 'notfound' }), input)).toHaveLength(1);
    expect(fire(rule({ content_regex_name: 'PRIV_KEY', match_type: 'notfound' }), input)).toEqual([]);
  });
});
