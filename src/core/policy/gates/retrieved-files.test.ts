import { describe, expect, it } from 'vitest';
import { fire, makeInput } from '../test-support.js';

const input = makeInput({ contents: { '/etc/httpd.conf': 'Listen 80\nSSLEnabled off\n' } });
const rule = (trigger: string, params: Record<string, string>) => ({
  gate: 'retrieved_files',
  trigger,
  params,
});

describe('retrieved_files gate', () => {
  it('content_not_available fires for a file that was not retrieved', () => {
    expect(fire(rule('content_not_available', { path: '/etc/nginx.conf' }), input)).toHaveLength(1);
    expect(fire(rule('content_not_available', { path: '/etc/httpd.conf' }), input)).toEqual([]);
  });
  it('content_regex with check=match searches the content', () => {
    expect(
      fire(
        rule('content_regex', { path: '/etc/httpd.conf', regex: 'SSLEnabled off', check: 'match' }),
        input,
      ),
    ).toHaveLength(1);
    expect(
      fire(rule('content_regex', { path: '/etc/httpd.conf', regex: 'SSLEnabled on', check: 'match' }), input),
    ).toEqual([]);
  });
  it('content_regex with check=no_match fires when absent; never for a missing file', () => {
    expect(
      fire(
        rule('content_regex', { path: '/etc/httpd.conf', regex: 'SSLEnabled on', check: 'no_match' }),
        input,
      ),
    ).toHaveLength(1);
    expect(
      fire(
        rule('content_regex', { path: '/etc/httpd.conf', regex: '.*SSLEnabled.*', check: 'no_match' }),
        input,
      ),
    ).toEqual([]);
    expect(fire(rule('content_regex', { path: '/etc/other', regex: 'x', check: 'no_match' }), input)).toEqual(
      [],
    );
  });
});
