import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fire, makeFile, makeInput } from '../test-support.js';

const files = [
  makeFile('/etc/ssl/private/server.pem', { mode: 0o600 }),
  makeFile('/usr/bin/passwd', { mode: 0o4755 }),
  makeFile('/usr/local', { type: 'dir', mode: 0o2775 }),
  makeFile('/etc/app.conf', { sha256: createHash('sha256').update('x').digest('hex') }),
];
const input = makeInput({ files, contentMatches: [{ path: '/etc/app.conf', rule: 'password' }] });

describe('files/name_match', () => {
  it('fires for paths matching the regex from the start', () => {
    expect(
      fire({ gate: 'files', trigger: 'name_match', params: { regex: '.*\\.pem' } }, input).map(
        (t) => t.message,
      ),
    ).toEqual([
      'Application of regex matched file found in container: file=/etc/ssl/private/server.pem regexp=.*\\.pem',
    ]);
  });
  it('does not fire otherwise (match is anchored at the start, like re.match)', () => {
    expect(fire({ gate: 'files', trigger: 'name_match', params: { regex: '\\.pem' } }, input)).toEqual([]);
  });
});

describe('files/suid_or_guid_set', () => {
  it('fires per setuid/setgid file with the full mode as Python prints it', () => {
    expect(fire({ gate: 'files', trigger: 'suid_or_guid_set' }, input).map((t) => t.message)).toEqual([
      'SUID or SGID found set on file /usr/bin/passwd. Mode: 0o104755',
      'SUID or SGID found set on file /usr/local. Mode: 0o42775',
    ]);
  });
  it('does not fire without such files', () => {
    expect(
      fire(
        { gate: 'files', trigger: 'suid_or_guid_set' },
        makeInput({ files: [makeFile('/bin/ls', { mode: 0o755 })] }),
      ),
    ).toEqual([]);
  });
});

describe('files/content_regex_match', () => {
  it('fires for content-scanner matches, optionally of one named regex', () => {
    expect(fire({ gate: 'files', trigger: 'content_regex_match' }, input)).toHaveLength(1);
    expect(
      fire({ gate: 'files', trigger: 'content_regex_match', params: { regex_name: 'password' } }, input),
    ).toHaveLength(1);
  });
  it('does not fire for another regex name', () => {
    expect(
      fire({ gate: 'files', trigger: 'content_regex_match', params: { regex_name: 'token' } }, input),
    ).toEqual([]);
  });
});

describe('files/attribute_match', () => {
  const sha = createHash('sha256').update('x').digest('hex');
  const rule = (params: Record<string, string>) => ({
    gate: 'files',
    trigger: 'attribute_match',
    params: { filename: '/etc/app.conf', ...params },
  });
  it('fires on checksum and mode conditions', () => {
    expect(fire(rule({ checksum: sha }), input)).toHaveLength(1);
    expect(fire(rule({ checksum: '00', checksum_match: 'not_equals' }), input)).toHaveLength(1);
    expect(fire(rule({ mode: '00644' }), input)).toHaveLength(1);
    expect(fire(rule({ mode: '0600', mode_op: 'not_equals' }), input)).toHaveLength(1);
  });
  it('does not fire when conditions fail; missing files fire only with skip_missing=false', () => {
    expect(fire(rule({ checksum: sha, checksum_match: 'not_equals' }), input)).toEqual([]);
    expect(fire(rule({ mode: '0600' }), input)).toEqual([]);
    expect(fire(rule({ filename: '/nope', mode: '0600' }), input)).toEqual([]);
    expect(fire(rule({ filename: '/nope', skip_missing: 'false' }), input).map((t) => t.message)).toEqual([
      'File /nope not found in the image',
    ]);
  });
});
