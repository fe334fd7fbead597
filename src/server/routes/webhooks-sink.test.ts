import { describe, expect, it } from 'vitest';
import { sinkFor } from './webhooks.js';

describe('the default sink of a webhook URL', () => {
  it("is slack for Slack's incoming-webhook host, whatever its case", () => {
    expect(sinkFor('https://hooks.slack.com/services/T000/B000/XXXX')).toBe('slack');
    expect(sinkFor('https://HOOKS.Slack.com/services/T000/B000/XXXX')).toBe('slack');
  });

  it('is webhook elsewhere, lookalike hosts included', () => {
    expect(sinkFor('https://receiver.example/hook')).toBe('webhook');
    expect(sinkFor('https://hooks.slack.com.evil.example/services/x')).toBe('webhook');
    expect(sinkFor('https://slack.com/hooks')).toBe('webhook');
  });
});
