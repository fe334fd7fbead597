/**
 * The re-match writes the findings it kept as their stored texts (ADR 0043): a kept finding's
 * line goes back byte for byte, even where serializing the parsed finding would differ (`1.0`
 * reads as 1), and only new findings are serialized.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/matching/types.js';
import type { RematchRecord } from '../store/repositories/analyses-lean.js';
import { findingTexts } from '../store/repositories/findings-text.js';
import { afterText } from './rematch-analyses.js';

const STORED = '[\n{"id":"CVE-2099-1","confidence":1.0},\n{"id":"CVE-2099-2","confidence":0.5}\n]';

function recordOf(stored: string): RematchRecord {
  const texts = findingTexts(stored);
  return {
    findings: JSON.parse(stored) as unknown,
    ...(texts ? { findingTexts: texts } : {}),
  } as RematchRecord;
}

describe('afterText', () => {
  it('writes kept findings as read and serializes the new ones', () => {
    const record = recordOf(STORED);
    const [kept] = record.findings as Finding[];
    const fresh = { id: 'CVE-2099-3', confidence: 1 } as unknown as Finding;
    expect(afterText([fresh, kept!], record)).toBe(
      '[\n{"id":"CVE-2099-3","confidence":1},\n{"id":"CVE-2099-1","confidence":1.0}\n]',
    );
  });

  it('serializes everything when the stored list had no lines to reuse', () => {
    const record = recordOf(JSON.stringify(JSON.parse(STORED)));
    const [kept] = record.findings as Finding[];
    expect(record.findingTexts).toBeUndefined();
    expect(afterText([kept!], record)).toBe('[\n{"id":"CVE-2099-1","confidence":1}\n]');
  });
});
