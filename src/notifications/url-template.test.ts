import { describe, expect, it } from 'vitest';
import { expandWebhookUrl } from './url-template.js';

describe("Anchore's webhook URL placeholders", () => {
  it.each([
    ['http://h:9090/general/<notification_type>/<userId>', 'http://h:9090/general/vuln_update/team%20a'],
    // As stored after `new URL()`: the brackets percent-encoded, in either hex case.
    [
      'http://h:9090/general/%3Cnotification_type%3E/%3cuserid%3e',
      'http://h:9090/general/vuln_update/team%20a',
    ],
    ['http://h:9090/policy_eval/<userId>?x=<userId>', 'http://h:9090/policy_eval/team%20a?x=team%20a'],
    ['http://h:9090/hook', 'http://h:9090/hook'],
    ['http://h:9090/<notification>/<user>', 'http://h:9090/<notification>/<user>'],
  ])('%s becomes %s', (url, expected) => {
    expect(expandWebhookUrl(url, { type: 'vuln_update', accountName: 'team a' })).toBe(expected);
  });
});
