/**
 * Test helpers for feed drivers: where the shared real data lives, running a driver into an
 * array, running the independent ground-truth tools (jq, unzip, zcat, python3, ruby), and
 * private temp directories.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedDriver, FeedSource, ReadResult } from '../feed.js';
import { ImportReportBuilder, type ImportReport } from '../import-report.js';
import type { Advisory, FeedRecord } from '../model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The real data snapshot, read in place (never copied into the repo). */
export const DATA_DIR = process.env.PORTCULLIS_TEST_DATA ?? resolve(repoRoot, '../shared/data');

export const dataPath = (...parts: string[]): string => join(DATA_DIR, ...parts);

export interface Collected {
  records: FeedRecord[];
  report: ImportReport;
  result: ReadResult;
}

export async function collect(driver: FeedDriver, source: FeedSource): Promise<Collected> {
  const records: FeedRecord[] = [];
  const builder = new ImportReportBuilder(driver.id);
  const result = await driver.read(source, (r) => void records.push(r), builder);
  return { records, report: builder.finish(), result };
}

export const advisoriesOf = (records: FeedRecord[]): Advisory[] =>
  records.flatMap((r) => (r.kind === 'advisory' ? [r.advisory] : []));

/** Runs a shell pipeline (ground-truth tools only) and returns stdout. */
export function sh(script: string, input?: string): string {
  return execFileSync('bash', ['-o', 'pipefail', '-c', script], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    ...(input === undefined ? {} : { input }),
  });
}

/** Shell-quotes one argument. */
export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), `portcullis-${prefix}-`));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
