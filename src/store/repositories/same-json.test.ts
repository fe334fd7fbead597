/**
 * `sameJson` decides whether an evaluation is stored compact (evaluation-layout.ts): it must
 * answer as `isDeepStrictEqual` does for every JSON-shaped pair the renderers and JSON.parse
 * make, including the near misses that keep a result stored whole.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { sameJson } from './evaluation-layout.js';

const row = (action: string, whitelisted: unknown = false) => [
  'img',
  'docker.io/library/x:1',
  'CVE-2099-1+pkg',
  'vulnerabilities',
  'package',
  'HIGH vulnerability',
  action,
  whitelisted,
  'policy-1',
];

const VALUES: unknown[] = [
  null,
  undefined,
  0,
  -0,
  1,
  NaN,
  '',
  '0',
  'false',
  false,
  true,
  [],
  {},
  [undefined],
  [null],
  { a: undefined },
  { a: null },
  { a: 1, b: 2 },
  { b: 2, a: 1 },
  { a: 1, b: 2, c: 3 },
  [1, 2],
  [2, 1],
  [[1], [2]],
  [[1], [2, 3]],
  row('stop'),
  row('warn'),
  row('stop', { whitelist_id: 'w', whitelist_name: 'W', matched_rule_id: 'r' }),
  row('stop', { whitelist_id: 'w', whitelist_name: 'W', matched_rule_id: 's' }),
  row('stop', { whitelist_name: 'W', whitelist_id: 'w', matched_rule_id: 'r' }),
  [row('stop'), row('warn')],
  [row('warn'), row('stop')],
  Object.assign(Object.create(null) as object, { a: 1 }),
];

describe('sameJson', () => {
  it('answers as isDeepStrictEqual for every pair of JSON-shaped values', () => {
    for (const a of VALUES)
      for (const b of VALUES)
        expect(sameJson(a, b), `${JSON.stringify(a)} / ${JSON.stringify(b)}`).toBe(isDeepStrictEqual(a, b));
  });

  it('compares copies made by JSON, not identity', () => {
    for (const a of VALUES.filter((v) => v !== undefined && !Number.isNaN(v) && !Object.is(v, -0)))
      expect(sameJson(a, JSON.parse(JSON.stringify(a)) as unknown)).toBe(
        isDeepStrictEqual(a, JSON.parse(JSON.stringify(a))),
      );
  });
});
