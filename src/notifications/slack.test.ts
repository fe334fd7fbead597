import { describe, expect, it } from 'vitest';
import { notificationPayload } from './payloads.js';
import { slackMessage } from './slack.js';
import { debianRow } from './test-support/findings.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;
const row = (id: string, severity: 'Low' | 'High' | 'Critical', suppressed = false) =>
  debianRow(id, 'openssl', '3.0.1', severity, { fix: '3.0.2', suppressed });

describe('Slack messages', () => {
  it('names the tag, the image, what changed, the worst unsuppressed severity and links back', () => {
    const payload = notificationPayload(
      'msg_1',
      { accountName: 'team-a', tag: 'docker.io/library/app:1' },
      {
        type: 'vuln_update',
        imageDigest: DIGEST,
        diff: {
          added: [row('CVE-1', 'High'), row('CVE-2', 'Critical', true)],
          updated: [],
          removed: [row('CVE-0', 'Low')],
        },
      },
    );
    const message = slackMessage('vuln_update', payload, 'https://portcullis.example/');
    const text = JSON.stringify(message.blocks);
    expect(message.text).toBe('Vulnerabilities changed: docker.io/library/app:1 (worst: High)');
    expect(text).toContain(DIGEST);
    expect(text).toContain('*Added (2)*');
    expect(text).toContain('*Removed (1)*');
    expect(text).toContain('`CVE-1` High in openssl-3.0.1 (fix: 3.0.2)');
    expect(text).toContain(`<https://portcullis.example/v1/images/${DIGEST}|Open in Portcullis>`);
  });

  it('lists at most ten rows per change kind and says how many more', () => {
    const added = Array.from({ length: 25 }, (_, i) => row(`CVE-${i}`, 'Low'));
    const payload = notificationPayload(
      'msg_2',
      { accountName: 'a', tag: 't' },
      {
        type: 'vuln_update',
        imageDigest: DIGEST,
        diff: { added, updated: [], removed: [] },
      },
    );
    const text = JSON.stringify(slackMessage('vuln_update', payload, undefined).blocks);
    expect(text).toContain('…and 15 more');
    expect(text).not.toContain('CVE-10`');
    expect(text).not.toContain('Open in Portcullis');
  });

  it('shows a policy verdict change', () => {
    const evaluation = (status: 'pass' | 'fail') => ({
      image_digest: DIGEST,
      status,
      final_action: status === 'pass' ? 'go' : 'stop',
      policy_id: 'default',
      evaluated_at: '2026-12-06T00:00:00Z',
    });
    const payload = notificationPayload(
      'msg_3',
      { accountName: 'a', tag: 'r/app:2' },
      {
        type: 'policy_eval',
        current: evaluation('fail'),
        last: evaluation('pass'),
      },
    );
    expect(JSON.stringify(slackMessage('policy_eval', payload, undefined).blocks)).toContain(
      'Policy: pass → *fail*',
    );
  });
});
