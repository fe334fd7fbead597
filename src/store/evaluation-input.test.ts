/**
 * The contract of the lean evaluation after a re-match (ADR 0030): for every built-in bundle,
 * every published Anchore bundle (read in place from shared/data/policy beside the
 * repository) and the vulnerabilities rules of each of those with their whitelists, the
 * evaluation made from what the re-match read in part is the one made from the whole
 * analysis, on both stores and on varied analyses (Debian, Alpine, distro-less; an unreadable
 * package database; language packages, one owned; suppressed and whitelisted findings).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openTestDatabase,
  STORE_KINDS,
  stopSharedPostgres,
  type TestDatabase,
} from '../../test/harness/databases.js';
import { rematchUnderKeys } from '../archive/rematch.js';
import type { Finding } from '../core/matching/types.js';
import { BUILTIN_BUNDLES, readsLeanInputOnly } from '../core/policy/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import {
  compiledBundle,
  decideAnalysis,
  evaluationOf,
  type EvaluateAnalysisRequest,
} from './evaluate-analysis.js';
import { evaluationSources, type ReadAnalysis } from './evaluation-input.js';
import type { AnalysisMetadata } from './repositories/analysis-metadata.js';
import { getAnalyses, type StoredAnalysis } from './repositories/analyses-bulk.js';
import { getRematchAnalyses } from './repositories/analyses-lean.js';
import type { PolicyRecord } from './repositories/policies.js';
import { storeVaried, variedAnalyses } from './test-support/varied-analyses.js';
import { vulnerabilityDataOf } from './vulnerability-data.js';

afterAll(() => stopSharedPostgres());

const NOW = new Date('2026-06-01T00:00:00Z');
const ANALYSES = variedAnalyses();
const DIGESTS = ANALYSES.map((a) => a.imageDigest);

// shared/ sits beside the repository checkout (locally and in CI).
const PUBLISHED = fileURLToPath(new URL('../../../shared/data/policy', import.meta.url));

interface BundleDocument {
  policies: { rules: { gate: string }[] }[];
  whitelists?: { items: object[] }[];
}

function published(): [string, unknown][] {
  return readdirSync(PUBLISHED, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(PUBLISHED, d.name))
        .filter((f) => f.endsWith('.json'))
        .map((f): [string, unknown] => [
          `${d.name}/${f}`,
          JSON.parse(readFileSync(join(PUBLISHED, d.name, f), 'utf8')),
        ]),
    );
}

/** The bundle's vulnerabilities rules only, with a whitelist item for one of the varied findings. */
function vulnerabilitiesOnly(document: unknown): unknown {
  const doc = structuredClone(document) as BundleDocument;
  for (const p of doc.policies) p.rules = p.rules.filter((r) => r.gate.toLowerCase() === 'vulnerabilities');
  doc.whitelists?.[0]?.items.push({
    id: 'zlib',
    gate: 'vulnerabilities',
    trigger_id: 'CVE-2099-0002+zlib1g',
  });
  return doc;
}

const BUNDLES: [string, unknown][] = [
  ...BUILTIN_BUNDLES.map((b): [string, unknown] => [`builtin:${b.name}`, b.document]),
  ...published(),
  ...published().map(([name, doc]): [string, unknown] => [
    `${name} (vulnerabilities rules)`,
    vulnerabilitiesOnly(doc),
  ]),
];

const policyOf = (name: string, bundle: unknown): PolicyRecord => ({
  accountName: 'team',
  policyId: name,
  name,
  description: '',
  source: 'test',
  bundle,
  active: true,
  createdAt: NOW,
  lastUpdated: NOW,
});

describe.each(STORE_KINDS)('the evaluation after a re-match read in part, on %s', (kind) => {
  let database: TestDatabase;
  let whole: StoredAnalysis[];
  let partial: Map<string, ReadAnalysis>;
  const seen = {
    lean: 0,
    reasons: new Set<string>(),
    triggers: new Set<string>(),
    whitelisted: 0,
    statuses: new Set<string>(),
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const changed = await storeVaried(database.db);
    whole = await getAnalyses(database.db, DIGESTS);
    partial = new Map();
    for (const [i, read] of (await getRematchAnalyses(database.db, DIGESTS, changed)).entries()) {
      const after = await rematchUnderKeys(
        read.sbom as SbomDocument,
        read.metadata as AnalysisMetadata,
        read.findings as Finding[],
        vulnerabilityDataOf(database.db),
        changed,
        { now: NOW },
      );
      expect(read.partial).toBeDefined();
      partial.set(read.imageDigest, { ...read, findings: after ?? read.findings });
      whole[i] = { ...whole[i]!, findings: after ?? whole[i]!.findings };
    }
  });
  afterAll(() => database?.stop());

  it.each(BUNDLES)('%s: the same evaluation as from the whole analysis', async (name, document) => {
    const policy = policyOf(name, document);
    const requests: EvaluateAnalysisRequest[] = DIGESTS.map((imageDigest) => ({
      accountName: 'team',
      imageDigest,
      tag: 'docker.io/team/app:1',
      policy,
      now: NOW,
    }));
    const sourceOf = await evaluationSources(database.db, requests, partial);
    const lean = readsLeanInputOnly(compiledBundle(policy));
    for (const [i, request] of requests.entries()) {
      const source = sourceOf(request);
      // A lean source holds no package name: the rules were evaluated without them.
      expect((source.sbom as SbomDocument).packages.some((p) => p.name !== undefined)).toBe(!lean);
      const fromPart = await decideAnalysis(database.db, source, request);
      const fromWhole = await decideAnalysis(database.db, whole[i]!, request);
      expect(fromPart.decision).toEqual(fromWhole.decision);
      expect(evaluationOf(fromPart, request)).toEqual(evaluationOf(fromWhole, request));
      if (lean) seen.lean++;
      seen.reasons.add(fromWhole.decision.reason);
      seen.statuses.add(fromWhole.decision.status);
      for (const t of fromWhole.decision.triggers) seen.triggers.add(t.trigger);
      seen.whitelisted += fromWhole.decision.triggers.filter((t) => t.whitelisted).length;
    }
  });

  it('went through lean evaluations, an unreadable package database, missing distro data, whitelists, passes and failures', () => {
    expect(seen.lean).toBeGreaterThanOrEqual(DIGESTS.length * 4);
    expect([...seen.reasons].sort()).toEqual(['package_db_unreadable', 'policy_evaluation']);
    // The distro-less image's deb packages: no data can apply to them.
    expect(seen.triggers).toContain('vulnerability_data_unavailable');
    expect(seen.whitelisted).toBeGreaterThan(0);
    expect([...seen.statuses].sort()).toEqual(['fail', 'pass']);
  });
});
