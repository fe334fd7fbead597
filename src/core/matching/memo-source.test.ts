import { describe, expect, it } from 'vitest';
import type { Advisory } from '../advisories/model.js';
import { memoizedSource } from './memo-source.js';
import type { AdvisorySource } from './types.js';

const advisory = (id: string, namespace: string, packageName: string) =>
  ({ id, namespace, packageName }) as unknown as Advisory;

describe('memoizedSource', () => {
  it('asks the source once per key and CVE, and answers as the source does', async () => {
    const asked: string[][] = [];
    const cves: string[][] = [];
    const data = [
      advisory('A', 'debian:12', 'openssl'),
      advisory('B', 'debian:12', 'openssl'),
      advisory('C', 'osv:npm', 'x'),
    ];
    const source: AdvisorySource = {
      advisoriesFor(keys) {
        asked.push(keys.map((k) => `${k.namespace}/${k.packageName}`));
        return Promise.resolve(
          data.filter((a) =>
            keys.some((k) => k.namespace === a.namespace && k.packageName === a.packageName),
          ),
        );
      },
      enrichment(list) {
        cves.push([...list]);
        return Promise.resolve(new Map(list.filter((c) => c !== 'CVE-NONE').map((c) => [c, { cvss: [] }])));
      },
    };
    const memo = memoizedSource(source);
    const ssl = { namespace: 'debian:12', packageName: 'openssl' };
    const zlib = { namespace: 'debian:12', packageName: 'zlib' };
    const x = { namespace: 'osv:npm', packageName: 'x' };
    expect((await memo.advisoriesFor([ssl, zlib])).map((a) => a.id)).toEqual(['A', 'B']);
    expect((await memo.advisoriesFor([x, ssl, zlib])).map((a) => a.id)).toEqual(['C', 'A', 'B']);
    expect((await memo.advisoriesFor([zlib, ssl])).map((a) => a.id)).toEqual(['A', 'B']);
    expect(asked).toEqual([['debian:12/openssl', 'debian:12/zlib'], ['osv:npm/x']]);
    expect([...(await memo.enrichment(['CVE-1', 'CVE-NONE'])).keys()]).toEqual(['CVE-1']);
    expect([...(await memo.enrichment(['CVE-NONE', 'CVE-2', 'CVE-1'])).keys()]).toEqual(['CVE-2', 'CVE-1']);
    expect(cves).toEqual([['CVE-1', 'CVE-NONE'], ['CVE-2']]);
    expect(memo.cpeConfigsFor).toBeUndefined();
  });
});
