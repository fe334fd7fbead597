/**
 * After a feed sync: every stored analysis with a package under a changed (namespace, package)
 * key — found through the search index, no SBOM is read to decide — is matched again from its
 * stored SBOM (the image is never pulled again), the Debian changelog evidence stored with it
 * is applied to the new findings, and the findings are replaced in one transaction with their
 * index rows, so a reader sees the old set or the new one, never a mix. When the finding set
 * changed, the accounts holding the image are told (`vuln_update`, events) and its tags are
 * evaluated again (`policy_eval` when the verdict changed).
 *
 * Batch-shaped (issue 13, ADR 0024): candidates go in chunks of CHUNK analyses, each read in one
 * query (of each SBOM only the packages under the changed keys and what matching them needs,
 * ADR 0030), matched in memory (each key's advisories read once per pass), and written with
 * its notifications in one transaction of a few multi-row statements.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { PackageKey } from '../core/matching/rematch.js';
import { memoizedSource } from '../core/matching/memo-source.js';
import type { AdvisorySource, Finding } from '../core/matching/types.js';
import type { VulnerabilityData } from '../core/pipeline/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import {
  planFindingsChanged,
  writeFindingsChanged,
  type ChangePlan,
  type FindingsChange,
} from '../notifications/reevaluate-many.js';
import type { ReevaluateDeps } from '../notifications/reevaluate.js';
import { Notifier } from '../notifications/notify.js';
import { JobQueue } from '../queue/queue.js';
import { rematchUnderKeys } from '../archive/rematch.js';
import { indexMissing, refreshIndexStatistics } from '../store/repositories/image-index.js';
import { digestsWithLookupKeys } from '../store/repositories/image-queries.js';
import { replaceFindingsMany } from '../store/repositories/analyses-bulk.js';
import { findingsText } from '../store/repositories/findings-text.js';
import { getRematchAnalyses, type RematchRecord } from '../store/repositories/analyses-lean.js';
import type { ServiceStore } from '../store/repositories/index.js';
import type { AnalysisMetadata } from '../worker/analyze.js';

export interface RematchSummary {
  /** Analyses whose findings were computed again. */
  rematched: number;
  /** Analyses left as they were (no package under a changed key). */
  untouched: number;
  /** Re-matched analyses whose finding set changed (and were notified). */
  changed: number;
}

/**
 * Where the time went, in ms: reading analyses, matching, writing findings, notifying. On a
 * server a chunk is written while the next is read and matched, so the phases overlap.
 */
export interface RematchTimings {
  read: number;
  match: number;
  write: number;
  notify: number;
}

/** Analyses read, matched and written together. */
export const CHUNK = 250;

/** Matched between turns of the event loop (the write of the chunk before waits on its I/O). */
const YIELD_EVERY = 16;

interface RematchOptions {
  signal?: AbortSignal;
  now?: Date;
  notifier?: Notifier;
  hostId?: string;
  /** Told of each digest whose findings changed (promoted images are re-checked there). */
  onFindingsChanged?: (digest: string) => Promise<void>;
  /** Filled with the time spent per phase (the benchmark reports it). */
  timings?: RematchTimings;
}

/** The new findings of one analysis; undefined when none of its packages is under a changed key. */
async function rematchOne(
  record: RematchRecord,
  data: AdvisorySource,
  changedKeys: readonly PackageKey[],
  options: RematchOptions,
): Promise<Finding[] | undefined> {
  return rematchUnderKeys(
    record.sbom as SbomDocument,
    record.metadata as AnalysisMetadata,
    record.findings as Finding[],
    data,
    changedKeys,
    { ...(options.now ? { now: options.now } : {}), ...(options.signal ? { signal: options.signal } : {}) },
  );
}

/**
 * Whether two finding sets serialize to the same JSON, without serializing the findings the
 * re-match kept as they were (the same objects as read): only the ones it made afresh.
 */
export function sameFindings(after: readonly Finding[], before: readonly Finding[]): boolean {
  if (after.length !== before.length) return false;
  for (let i = 0; i < after.length; i++) {
    if (after[i] !== before[i] && JSON.stringify(after[i]) !== JSON.stringify(before[i])) return false;
  }
  return true;
}

/**
 * The stored text of `after`, the findings a re-match of `record` gave: the ones it kept (the
 * same objects as read) as their texts were read, when the list was stored one finding per
 * line; the others serialized (ADR 0043).
 */
export function afterText(after: readonly Finding[], record: RematchRecord): string {
  const texts = record.findingTexts;
  const read = record.findings as readonly Finding[];
  if (!texts || texts.length !== read.length) return findingsText(after);
  const textOf = new Map<Finding, string>();
  read.forEach((f, i) => textOf.set(f, texts[i]!));
  return findingsText(after, (f) => textOf.get(f));
}

/**
 * Writes one chunk's new findings and its notifications in one transaction, then tells
 * `onFindingsChanged`; its own write and notify time go to `timings`. On a server, what the
 * notifications and evaluations need (`early`) was read and evaluated on another connection of
 * the pool as soon as the chunk was matched, while the chunk before was still being written
 * (ADR 0034, 0042); the embedded store's one connection is the transaction's, so there it is
 * done in the transaction, after the findings. `texts`: each change's new findings as JSON,
 * rendered while matching.
 */
async function writeChunk(
  deps: ReevaluateDeps,
  changes: readonly FindingsChange[],
  texts: readonly string[],
  early: Promise<ChangePlan> | undefined,
  revs: ReadonlyMap<string, string>,
  summary: RematchSummary,
  options: RematchOptions,
  timings: RematchTimings,
): Promise<void> {
  let t = performance.now();
  let changed: string[];
  try {
    changed = await deps.store.db.transaction(async (tx) => {
      const written = new Set(
        await replaceFindingsMany(
          tx,
          changes.map((c, i) => ({
            imageDigest: c.analysis.imageDigest,
            findings: c.after,
            text: texts[i]!,
            before: { findings: c.before, rev: revs.get(c.analysis.imageDigest)! },
          })),
        ),
      );
      timings.write += performance.now() - t;
      t = performance.now();
      // An analysis written afresh since it was read (a forced re-analysis) keeps its findings.
      const plan = await (early ??
        planFindingsChanged(
          deps,
          changes.filter((c) => written.has(c.analysis.imageDigest)),
          tx,
        ));
      return writeFindingsChanged(deps, plan, written, tx);
    });
  } finally {
    await early?.catch(() => undefined); // still reading when the transaction failed: done first
  }
  summary.rematched += changes.length;
  summary.changed += changed.length;
  for (const digest of changed) await options.onFindingsChanged?.(digest);
  timings.notify += performance.now() - t;
}

export async function rematchAnalyses(
  store: ServiceStore,
  data: VulnerabilityData,
  changedKeys: readonly PackageKey[],
  options: RematchOptions = {},
): Promise<RematchSummary> {
  const timings = options.timings ?? { read: 0, match: 0, write: 0, notify: 0 };
  const summary: RematchSummary = { rematched: 0, untouched: 0, changed: 0 };
  if (changedKeys.length === 0) return summary;
  const notifier = options.notifier ?? new Notifier(store.db, new JobQueue(store.db));
  const deps = { store, notifier, ...(options.hostId ? { hostId: options.hostId } : {}) };
  await indexMissing(store.db, options.signal);
  let t = performance.now();
  const lap = (phase: keyof typeof timings) => {
    const now = performance.now();
    timings[phase] += now - t;
    t = now;
  };
  // Each key's advisories and each CVE's enrichment are read once per pass, not once per image.
  const source = memoizedSource(data);
  const warm = await source.advisoriesFor(changedKeys); // the delta's keys in one read, not per image
  await source.enrichment([...new Set(warm.flatMap((a) => [a.id, ...a.aliases]))]);
  const candidates = await digestsWithLookupKeys(store.db, changedKeys);
  const total = (await store.db.query<{ n: string | number }>('SELECT count(*) AS n FROM analysis')).rows[0];
  summary.untouched = Number(total?.n ?? 0) - candidates.length;
  lap('read');
  // On a server the next chunk is read while this one is matched and written (another
  // connection of the pool); the embedded store has one connection, so it reads in turn.
  // Of each SBOM only what re-matching the packages under the changed keys needs (ADR 0030).
  const read = (i: number) => getRematchAnalyses(store.db, candidates.slice(i, i + CHUNK), changedKeys);
  let next = store.db.kind === 'postgres' && candidates.length > 0 ? read(0) : undefined;
  let writing: Promise<void> | undefined;
  try {
    for (let i = 0; i < candidates.length; i += CHUNK) {
      options.signal?.throwIfAborted();
      const records = await (next ?? read(i));
      const revs = new Map(records.map((r) => [r.imageDigest, r.findingsRev] as const));
      next = store.db.kind === 'postgres' && i + CHUNK < candidates.length ? read(i + CHUNK) : undefined;
      next?.catch(() => undefined); // awaited next round; an abort must not leave it unhandled
      lap('read');
      const changes: FindingsChange[] = [];
      const texts: string[] = [];
      for (const [n, record] of records.entries()) {
        options.signal?.throwIfAborted();
        if (n % YIELD_EVERY === YIELD_EVERY - 1) await yieldToIo();
        const after = await rematchOne(record, source, changedKeys, options);
        if (after === undefined) summary.untouched++;
        // The same findings, byte for byte: nothing to write, no new revision, nobody to tell.
        else if (sameFindings(after, record.findings as Finding[])) summary.rematched++;
        else {
          const { findingTexts: _read, ...analysis } = record;
          changes.push({
            analysis: { ...analysis, findings: after },
            before: record.findings as Finding[],
            after,
          });
          texts.push(afterText(after, record));
        }
      }
      lap('match');
      if (changes.length === 0) continue;
      // On a server this chunk's notifications and evaluations are prepared at once, on another
      // connection, while the chunk before may still be writing (chunks hold other images, so
      // what is read is not what that write changes); the chunk is written once that write
      // is done (one write in flight, so notifications keep the chunks' order) while the next
      // one is matched. The embedded store writes each chunk before going on.
      const early = store.db.kind === 'postgres' ? planFindingsChanged(deps, changes) : undefined;
      early?.catch(() => undefined); // awaited in the write; a failed write must not leave it unhandled
      try {
        await writing;
      } catch (err) {
        await early?.catch(() => undefined); // a failed pass returns only once its reads are done
        throw err;
      }
      writing = writeChunk(deps, changes, texts, early, revs, summary, options, timings);
      if (store.db.kind === 'postgres')
        writing.catch(() => undefined); // awaited next round or below
      else await writing;
      t = performance.now();
    }
    await writing;
  } finally {
    // A failed or aborted pass returns only once the chunk being written is committed or rolled back.
    await writing?.catch(() => undefined);
  }
  t = performance.now();
  if (summary.rematched > 0) await refreshIndexStatistics(store.db);
  lap('write');
  return summary;
}
