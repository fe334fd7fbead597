import { describe, expect, it } from 'vitest';
import { nextWhitelistExpiry } from './whitelist.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const bundle = (...dates: (string | undefined)[]) => ({
  whitelists: [
    {
      id: 'a',
      items: dates
        .slice(0, 2)
        .map((expires_on, i) => ({ id: `a${i}`, gate: 'g', trigger_id: '*', expires_on })),
    },
    {
      id: 'b',
      items: dates.slice(2).map((expires_on, i) => ({ id: `b${i}`, gate: 'g', trigger_id: '*', expires_on })),
    },
  ],
});

describe('nextWhitelistExpiry', () => {
  it.each([
    [
      'the earliest future expiry over all whitelists',
      bundle('2026-09-01T00:00:00Z', undefined, '2026-07-01T00:00:00Z'),
      '2026-07-01T00:00:00.000Z',
    ],
    [
      'past expiries skipped',
      bundle('2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'),
      '2027-01-01T00:00:00.000Z',
    ],
    ['an expiry at now is past', bundle('2026-06-01T00:00:00Z'), undefined],
    ['no expiry at all', bundle(undefined, undefined, undefined), undefined],
    ['unparseable dates skipped', bundle('next tuesday', '2026-06-02T00:00:00Z'), '2026-06-02T00:00:00.000Z'],
    ['a bundle without whitelists', { id: 'x' }, undefined],
    ['not a bundle', 'nonsense', undefined],
  ])('%s', (_name, doc, expected) => {
    expect(nextWhitelistExpiry(doc, NOW)?.toISOString()).toBe(expected);
  });
});
