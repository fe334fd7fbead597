/** Contract test: every OS cataloger is well-formed and its parsers never throw on bad input. */
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { OS_CATALOGERS } from './os-catalogers.js';
import type { FileResolver, ParseContext, ParseResult } from './types.js';

const noFiles: FileResolver = { read: async () => undefined, glob: async () => [] };
const context: ParseContext = {
  resolver: noFiles,
  foundBy: 'contract@1',
  distro: { id: 'debian', versionId: '12' },
};

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['binary garbage', Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256))],
  ['text garbage', Buffer.from('{"not": "a package database"}\n\u0000\u00ff\nKey without colon\n')],
  ['a lone newline', Buffer.from('\n')],
];

function expectParseResult(result: ParseResult): void {
  expect(Array.isArray(result.packages)).toBe(true);
  expect(Array.isArray(result.relationships)).toBe(true);
  expect(Array.isArray(result.problems)).toBe(true);
  for (const p of result.problems) expect(typeof p).toBe('string');
}

describe('OS_CATALOGERS contract', () => {
  it('has unique ids and positive integer versions', () => {
    const ids = OS_CATALOGERS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of OS_CATALOGERS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number.isInteger(c.version) && c.version > 0).toBe(true);
      expect(c.ecosystem).toMatch(/^[a-z0-9-]+$/);
      expect(c.parsers.length).toBeGreaterThan(0);
    }
  });

  for (const cataloger of OS_CATALOGERS) {
    cataloger.parsers.forEach((parser, index) => {
      it(`${cataloger.id} parser ${index}: absolute, valid globs that match their own database paths`, () => {
        expect(parser.globs.length).toBeGreaterThan(0);
        for (const glob of parser.globs) {
          expect(glob.startsWith('/')).toBe(true);
          expect(() => picomatch.makeRe(glob)).not.toThrow();
        }
      });

      for (const [name, contents] of INPUTS) {
        it(`${cataloger.id} parser ${index}: returns a ParseResult for ${name} input`, async () => {
          const path = (parser.globs[0] as string).replace('*', 'entry');
          const result = await parser.parse({ path, contents }, context);
          expectParseResult(result);
          expect(result.packages).toEqual([]);
        });
      }
    });
  }
});
