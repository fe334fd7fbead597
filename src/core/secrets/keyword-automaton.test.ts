import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../../test/support/shared-data.js';
import { DEFAULT_SECRET_RULES } from './default-rules.js';
import { loadGitleaksRules } from './gitleaks.js';
import { KeywordAutomaton } from './keyword-automaton.js';

/** What the scanner decided before the automaton: one `includes` per keyword. */
function naive(keywords: readonly string[], bytes: Buffer): Set<number> {
  const lower = bytes.toString('utf8').toLowerCase();
  return new Set(keywords.flatMap((k, i) => (lower.includes(k) ? [i] : [])));
}

/** A small deterministic PRNG, so a failure names a reproducible input. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('KeywordAutomaton', () => {
  it('finds overlapping and nested keywords, ignoring ASCII case', () => {
    const a = new KeywordAutomaton(['he', 'she', 'his', 'hers', 'key', 'keyword']);
    expect([...a.find(Buffer.from('uSHErs'))].sort()).toEqual([0, 1, 3]);
    expect([...a.find(Buffer.from('KEYWOR'))]).toEqual([4]);
    expect([...a.find(Buffer.from('a keyWORD!'))].sort()).toEqual([4, 5]);
    expect(a.find(Buffer.from('nothing here?')).size).toBe(1); // "he" in "here"
    expect(a.find(Buffer.alloc(0)).size).toBe(0);
  });

  it('matches punctuation and non-ASCII keywords byte for byte', () => {
    const a = new KeywordAutomaton(['-----begin', '"auth"', 'clé']);
    expect([...a.find(Buffer.from('-----BEGIN RSA PRIVATE KEY-----'))]).toEqual([0]);
    expect([...a.find(Buffer.from('{"AUTH": "x"}'))]).toEqual([1]);
    expect([...a.find(Buffer.from('ma clé'))]).toEqual([2]);
  });

  it('reports the empty keyword as always present, like includes("")', () => {
    const a = new KeywordAutomaton(['', 'x']);
    expect([...a.find(Buffer.from('abc'))]).toEqual([0]);
  });

  it('agrees with lower-case includes on 3,000 random texts over a small alphabet', () => {
    const keywords = ['ab', 'aba', 'bab', 'b', 'cab', 'abc', 'caca', 'aaaa'];
    const a = new KeywordAutomaton(keywords);
    const next = prng(42);
    for (let n = 0; n < 3000; n++) {
      const text = Array.from(
        { length: Math.floor(next() * 24) },
        () => 'aAbBc '[Math.floor(next() * 6)],
      ).join('');
      expect([...a.find(Buffer.from(text))].sort(), text).toEqual(
        [...naive(keywords, Buffer.from(text))].sort(),
      );
    }
  });

  it("agrees with lower-case includes for gitleaks' and our keywords on real source files", () => {
    const { rules } = loadGitleaksRules(
      readFileSync(join(SHARED_DATA, 'secrets', 'gitleaks.toml'), 'utf8'),
      'gitleaks.toml',
    );
    const keywords = [...new Set([...rules, ...DEFAULT_SECRET_RULES].flatMap((r) => r.keywords))];
    expect(keywords.length).toBeGreaterThan(100);
    const a = new KeywordAutomaton(keywords);
    const dir = join(import.meta.dirname, '..', 'secrets');
    const files = readdirSync(dir).map((f) => readFileSync(join(dir, f)));
    let hits = 0;
    for (const bytes of files) {
      const expected = naive(keywords, bytes);
      hits += expected.size;
      expect(a.find(bytes)).toEqual(expected);
    }
    expect(hits).toBeGreaterThan(0);
  });
});
