/**
 * LayerAnalyzer on hand-written file bodies: sha256 checked against node's crypto over the
 * same bytes, captures by glob (pre-filtered by base name), and the secret scan skipping
 * binaries (a NUL in the first 8 KiB) even when the body arrives in several chunks.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_RULES } from '../secrets/default-rules.js';
import { DEFAULT_SECRET_SCAN_OPTIONS } from '../secrets/scan.js';
import { LayerAnalyzer } from './layer-analysis.js';

const KEY = 'AKIA' + 'QWERTYUIOPASDFGH'; // AWS access key id shape, not a real key
const analyzer = () =>
  new LayerAnalyzer('sha256:' + '0'.repeat(64), {
    captureRules: [{ globs: ['/**/package.json'] }, { globs: ['/etc/*-release'] }],
    captureMaxBytes: 1024,
    digestMaxBytes: 1024 * 1024,
    secrets: { rules: DEFAULT_SECRET_RULES, options: DEFAULT_SECRET_SCAN_OPTIONS },
  });

const body = (...chunks: Buffer[]) => Readable.from(chunks);

describe('LayerAnalyzer', () => {
  it('hashes, captures declared inputs only, and finds a secret in a text file', async () => {
    const a = analyzer();
    const pkg = Buffer.from('{"name":"x","version":"1.0.0"}');
    const text = Buffer.from(`aws_key = ${KEY}\n`);
    await a.visit('/app/node_modules/x/package.json', pkg.length, body(pkg));
    await a.visit('/etc/os-release', 3, body(Buffer.from('ID=')));
    await a.visit('/app/config.txt', text.length, body(text.subarray(0, 5), text.subarray(5)));
    expect([...a.result.captured.keys()].sort()).toEqual([
      '/app/node_modules/x/package.json',
      '/etc/os-release',
    ]);
    expect(a.result.digests.get('/app/config.txt')).toBe(createHash('sha256').update(text).digest('hex'));
    expect(a.result.secrets.map((s) => [s.path, s.line])).toEqual([['/app/config.txt', 1]]);
    expect(a.result.secrets[0]?.redacted).not.toContain(KEY);
  });

  it('skips binaries for the secret scan but still hashes them', async () => {
    const a = analyzer();
    const bin = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), Buffer.from(` ${KEY}\n`)]);
    await a.visit('/usr/bin/tool', bin.length, body(bin.subarray(0, 6), bin.subarray(6)));
    expect(a.result.secrets).toEqual([]);
    expect(a.result.digests.get('/usr/bin/tool')).toBe(createHash('sha256').update(bin).digest('hex'));
  });

  it('does not capture a declared input over the size cap', async () => {
    const a = analyzer();
    const big = Buffer.alloc(2048, 0x20);
    await a.visit('/app/package.json', big.length, body(big));
    expect(a.result.captured.size).toBe(0);
  });
});
