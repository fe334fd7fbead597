/**
 * `portcullis serve` on both stores with a real image analysed (the `app` fixture, feeds from
 * the shared mirror), then, over real HTTP:
 * - `/metrics` of the API and of the process that ran the analysis, parsed as the Prometheus
 *   exposition format: request latency, queue depth, analysis duration, feed age, DB pool;
 * - the vulnerability, content, metadata and check responses against the shapes of
 *   ../shared/reference/anchore-api-v1.md (test-support/anchore-v1-shapes.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { STORE_KINDS } from '../../test/harness/databases.js';
import {
  checkResponse,
  contentResponse,
  errorResponse,
  METADATA_TYPES,
  metadataResponse,
  vulnerabilityResponse,
} from '../server/test-support/anchore-v1-shapes.js';
import { family, histogramSeries, parseExposition, sampleValue } from '../server/test-support/exposition.js';
import { serveAnalysed, SERVED_TAG, type ServedAnalysis } from './test-support/served-analysis.js';

async function scrape(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** Parses `json` with `schema`, failing with every issue's path. */
function conforms(schema: z.ZodType, json: unknown, what: string): void {
  const parsed = schema.safeParse(json);
  const issues = parsed.success
    ? []
    : parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.')}: ${i.message}`);
  expect(issues, what).toEqual([]);
}

describe.each(STORE_KINDS)('serve with an analysed image on %s', (kind) => {
  let root: string;
  let served: ServedAnalysis;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pc-contract-'));
    served = await serveAnalysed(kind, root);
  }, 1_200_000);
  afterAll(async () => {
    await served?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  }, 120_000);

  it('/metrics has latency, queue depth, analysis duration, feed age and DB pool families', async () => {
    await served.api('/images');
    const api = await scrape(served.apiMetricsUrl);
    const latency = histogramSeries(family(api, 'portcullis_http_request_duration_seconds', 'histogram'));
    expect(
      latency.find((s) => s.labels.route === '/v1/images' && s.labels.method === 'GET')?.count,
    ).toBeGreaterThanOrEqual(1);
    const jobs = family(api, 'portcullis_jobs', 'gauge');
    expect(jobs.samples.length).toBeGreaterThan(0);
    for (const s of jobs.samples) expect(s.value).toBeGreaterThanOrEqual(0);

    // Where the analysis ran (the one process on the embedded store, the worker's probes else).
    const worker = kind === 'PGlite' ? api : await scrape(served.workerMetricsUrl);
    const analyses = histogramSeries(family(worker, 'portcullis_analysis_duration_seconds', 'histogram'));
    const succeeded = analyses.find((s) => s.labels.outcome === 'succeeded');
    expect(succeeded?.count).toBeGreaterThanOrEqual(1);
    expect(succeeded?.sum).toBeGreaterThan(0);
    expect(analyses.find((s) => s.labels.outcome === 'failed')?.count).toBe(0);
    if (kind !== 'PGlite') expect(api.has('portcullis_analysis_duration_seconds')).toBe(false);

    for (const scraped of kind === 'PGlite' ? [api] : [api, worker]) {
      const age = family(scraped, 'portcullis_feed_age_seconds', 'gauge');
      expect(age.samples.length).toBeGreaterThan(0);
      for (const s of age.samples) {
        expect(s.labels.feed).toMatch(/\S/);
        expect(s.labels.group).toMatch(/\S/);
        expect(s.value).toBeGreaterThanOrEqual(0);
        expect(s.value).toBeLessThan(24 * 3600);
      }
      // The groups of /system/feeds, e.g. debian:12 from the Debian tracker.
      expect(age.samples.some((s) => s.labels.group?.startsWith('debian:'))).toBe(true);

      const total = sampleValue(
        family(scraped, 'portcullis_db_pool_clients', 'gauge'),
        'portcullis_db_pool_clients',
      );
      const idle = sampleValue(
        family(scraped, 'portcullis_db_pool_idle_clients', 'gauge'),
        'portcullis_db_pool_idle_clients',
      );
      const waiting = sampleValue(
        family(scraped, 'portcullis_db_pool_waiting', 'gauge'),
        'portcullis_db_pool_waiting',
      );
      if (kind === 'PGlite') expect(total).toBe(1);
      else expect(total).toBeGreaterThanOrEqual(1);
      expect(idle).toBeGreaterThanOrEqual(0);
      expect(idle).toBeLessThanOrEqual(total!);
      expect(waiting).toBeGreaterThanOrEqual(0);
    }
  });

  it('vuln/{type} answers the reference envelope and vulnerability record', async () => {
    expect((await served.api(`/images/${served.digest}/vuln`)).json).toEqual(['os', 'non-os', 'all']);
    const counts: Record<string, number> = {};
    for (const type of ['os', 'non-os', 'all']) {
      for (const vendorOnly of ['True', 'False']) {
        const res = await served.api(
          `/images/${encodeURIComponent(served.digest)}/vuln/${type}?vendor_only=${vendorOnly}`,
        );
        expect(res.status).toBe(200);
        conforms(vulnerabilityResponse(type), res.json, `vuln/${type}?vendor_only=${vendorOnly}`);
        counts[`${type}:${vendorOnly}`] = (res.json as { vulnerabilities: unknown[] }).vulnerabilities.length;
      }
    }
    // A real image with findings of both kinds, so every field was checked on real records.
    expect(counts['os:False']).toBeGreaterThan(0);
    expect(counts['non-os:False']).toBeGreaterThan(0);
    expect(counts['all:False']).toBe(counts['os:False']! + counts['non-os:False']!);
    // Failures answer Anchore's error body, which `image vuln` prints from `message`.
    const unknown = await served.api(`/images/sha256:${'0'.repeat(64)}/vuln/all?vendor_only=True`);
    expect(unknown.status).toBe(404);
    conforms(errorResponse(404), unknown.json, 'vuln of an unknown image');
    const badType = await served.api(`/images/${served.digest}/vuln/everything`);
    expect(badType.status).toBe(400);
    conforms(errorResponse(400), badType.json, 'vuln of an unknown type');
  });

  it('content and content/{type} answer the reference envelopes and elements', async () => {
    const types = (await served.api(`/images/${served.digest}/content`)).json as string[];
    for (const t of ['os', 'files', 'npm', 'gem', 'python', 'java', 'go', 'binary'])
      expect(types).toContain(t);
    const filled: string[] = [];
    for (const type of types) {
      const res = await served.api(`/images/${encodeURIComponent(served.digest)}/content/${type}`);
      expect(res.status, type).toBe(200);
      conforms(contentResponse(type), res.json, `content/${type}`);
      if ((res.json as { content: unknown[] }).content.length > 0) filled.push(type);
    }
    for (const t of ['os', 'files', 'npm', 'python', 'java', 'gem']) expect(filled).toContain(t);
    const unknown = await served.api(`/images/${served.digest}/content/nothing`);
    expect(unknown.status).toBe(404);
    conforms(errorResponse(404), unknown.json, 'content of an unknown type');
  });

  it('metadata and metadata/{type} answer the reference envelope with base64 text', async () => {
    expect((await served.api(`/images/${served.digest}/metadata`)).json).toEqual([...METADATA_TYPES]);
    for (const type of METADATA_TYPES) {
      const res = await served.api(`/images/${encodeURIComponent(served.digest)}/metadata/${type}`);
      expect(res.status, type).toBe(200);
      conforms(metadataResponse(type), res.json, `metadata/${type}`);
      const text = Buffer.from((res.json as { metadata: string }).metadata, 'base64').toString('utf8');
      if (type === 'manifest') expect(JSON.parse(text)).toHaveProperty('schemaVersion', 2);
      if (type === 'docker_history') expect(Array.isArray(JSON.parse(text))).toBe(true);
      if (type === 'dockerfile') expect(text).toMatch(/\S/);
    }
  });

  it('check answers the reference shape, keyed by digest and full tag, with and without detail', async () => {
    for (const detail of [false, true]) {
      const res = await served.api(
        `/images/${encodeURIComponent(served.digest)}/check?history=false&detail=${detail}&tag=${SERVED_TAG}`,
      );
      expect(res.status).toBe(200);
      conforms(checkResponse(detail), res.json, `check detail=${detail}`);
      const evaluations = (res.json as Record<string, Record<string, unknown[]>>[])[0]![served.digest]![
        SERVED_TAG
      ];
      expect(evaluations).toHaveLength(1);
      if (detail) {
        const result = (evaluations![0] as { detail: { result: { image_id: string; result: object } } })
          .detail.result;
        // The rows sit under the image id the record names.
        expect(Object.keys(result.result)).toContain(result.image_id);
      }
    }
  });
});
