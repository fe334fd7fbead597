/** Triggers stored by column (layout 2, ADR 0034): given back exactly, or not encoded at all. */
import { describe, expect, it } from 'vitest';
import { decodeTriggers, encodeTriggers } from './evaluation-triggers.js';

const trigger = (i: number, extra: Record<string, unknown> = {}) => ({
  gate: 'vulnerabilities',
  trigger: 'package',
  trigger_id: `CVE-2024-${i}+pkg-${i}`,
  message: `HIGH Vulnerability found in pkg-${i}`,
  action: 'STOP',
  whitelisted: i === 1 ? { whitelist_id: 'w', item_id: 'item-1' } : null,
  ...extra,
});

describe('triggers by column', () => {
  it('keeps each repeated value once and gives the triggers back, keys in jsonb order', () => {
    const triggers = [trigger(0), trigger(1), trigger(2)];
    const encoded = encodeTriggers(triggers)!;
    expect(encoded.same).toEqual({ gate: 'vulnerabilities', trigger: 'package', action: 'STOP' });
    expect(Object.keys(encoded.each).sort()).toEqual(['message', 'trigger_id', 'whitelisted']);
    const decoded = decodeTriggers(JSON.parse(JSON.stringify(encoded)))!;
    expect(decoded).toEqual(triggers);
    expect(Object.keys(decoded[0]!)).toEqual([
      'gate',
      'action',
      'message',
      'trigger',
      'trigger_id',
      'whitelisted',
    ]);
  });

  it('leaves alone what it could not give back exactly', () => {
    expect(encodeTriggers([trigger(0)])).toBeUndefined(); // nothing to share
    expect(encodeTriggers([trigger(0), { ...trigger(1), note: 'x' }])).toBeUndefined();
    expect(
      encodeTriggers([trigger(0, { rule_id: undefined }), trigger(1, { rule_id: 'r' })]),
    ).toBeUndefined();
    expect(encodeTriggers([trigger(0), 'text'])).toBeUndefined();
    expect(encodeTriggers({ count: 2 })).toBeUndefined();
    expect(decodeTriggers([trigger(0)])).toBeUndefined();
  });
});
