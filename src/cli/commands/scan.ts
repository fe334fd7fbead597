/**
 * `portcullis scan`: analyze a source (or read an SBOM), match it against the local
 * vulnerability database, apply VEX / ignore rules / changelog evidence, and render the
 * findings. Exit 2 when unsuppressed findings reach `--fail-on`.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultCacheDir } from '../../config/index.js';
import { PortcullisError } from '../../core/errors.js';
import { baseLayersFromHistory } from '../../core/matching/base-layers.js';
import { matchSbom } from '../../core/matching/match.js';
import type { NormalizedSeverity } from '../../core/matching/types.js';
import {
  gateFailures,
  onlyFixed,
  parseSeverity,
  parseSortKey,
  REPORT_FORMATS,
  RENDERERS,
  SCAN_SCHEMA_VERSION,
  SORT_KEYS,
  sortFindings,
  type ReportFormat,
  type ScanReport,
} from '../../core/report/index.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import {
  applySuppressions,
  CHANGELOG_GLOB,
  parseIgnoreFile,
  parseVexText,
  type VexDocument,
} from '../../core/suppression/index.js';
import {
  addAnalyzeFlags,
  addDatabaseFlags,
  analyzeSourceDetailed,
  openVulnerabilityDatabase,
  type AnalyzeFlags,
  type DatabaseFlags,
} from '../analyze.js';
import { addImageFlags, allFlags } from '../context.js';
import { MAX_INPUT_BYTES, readBoundedFile } from '../../core/io/read-bounded-file.js';
import { EXIT } from '../exit-codes.js';

export interface ScanFlags extends AnalyzeFlags, DatabaseFlags {
  output?: ReportFormat;
  file?: string;
  failOn?: string;
  onlyFixed?: boolean;
  sortBy?: string;
  baseLayers?: string;
  vex?: string[];
  ignoreFile?: string;
  changelog?: boolean;
  cpe?: boolean;
}

function parseBaseLayers(text: string, doc: SbomDocument): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > doc.source.layers.length) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--base-layers must be an integer from 0 to ${doc.source.layers.length} (the layers of ${doc.source.input}), got "${text}"`,
    );
  }
  return n;
}

function readInput(file: string, what: string): Promise<Buffer> {
  return readBoundedFile(file, what, MAX_INPUT_BYTES);
}

/**
 * Everything up to rendering, shared with `explain`: the report holds every finding
 * (suppressed ones included), sorted, before `--only-fixed`.
 */
export async function runScan(
  source: string,
  flags: ScanFlags,
  now: Date = new Date(),
): Promise<{
  report: ScanReport;
  document: SbomDocument;
}> {
  const failOn = flags.failOn === undefined ? undefined : parseSeverity(flags.failOn);
  const sortKey = parseSortKey(flags.sortBy ?? 'severity');
  // Read the user's files before the (slow) analysis so a typo fails fast.
  const vex: VexDocument[] = [];
  let order = 0;
  for (const file of flags.vex ?? []) {
    const doc = parseVexText(file, await readInput(file, 'VEX document'), order);
    order += doc.statements.length;
    vex.push(doc);
  }
  const ignore = flags.ignoreFile
    ? parseIgnoreFile(flags.ignoreFile, await readInput(flags.ignoreFile, 'ignore file'))
    : undefined;

  const cacheDir = flags.cacheDir ?? defaultCacheDir();
  const database = await openVulnerabilityDatabase(flags, cacheDir);
  try {
    const feeds = await database.store.status();
    if (feeds.every((f) => f.records === 0)) {
      throw new PortcullisError(
        'NOT_FOUND',
        `the vulnerability database under ${cacheDir} is empty: run \`portcullis db update\` first`,
      );
    }
    const useChangelog = flags.changelog !== false;
    const analyzed = await analyzeSourceDetailed(source, flags, useChangelog ? [CHANGELOG_GLOB] : []);
    const document = analyzed.document;
    const baseLayerCount =
      flags.baseLayers !== undefined
        ? parseBaseLayers(flags.baseLayers, document)
        : analyzed.config
          ? baseLayersFromHistory(analyzed.config.history)
          : undefined;
    const matched = await matchSbom(document, database.store, {
      ...(baseLayerCount === undefined ? {} : { baseLayerCount }),
      ...(flags.cpe ? { cpe: true } : {}),
    });
    const suppressed = await applySuppressions(matched.findings, {
      vex,
      ...(ignore ? { ignore } : {}),
      ...(useChangelog && analyzed.retrieved.size
        ? {
            changelog: {
              doc: document,
              read: (path: string) => Promise.resolve(analyzed.retrieved.get(path)),
            },
          }
        : {}),
      now,
    });
    const report: ScanReport = {
      schemaVersion: SCAN_SCHEMA_VERSION,
      descriptor: document.descriptor,
      createdAt: now.toISOString(),
      source: document.source,
      ...(document.distro ? { distro: document.distro } : {}),
      database: { feeds: feeds.map((f) => ({ source: f.source, lastSync: f.lastSync, records: f.records })) },
      ...(baseLayerCount === undefined ? {} : { baseLayerCount }),
      ...(failOn ? { failOn } : {}),
      findings: sortFindings(suppressed.findings, sortKey),
    };
    return { report, document };
  } finally {
    await database.close();
  }
}

export function registerScanCommand(program: Command): void {
  const cmd = program
    .command('scan')
    .description('find the vulnerabilities of an image or SBOM in the local vulnerability database')
    .argument('<source>', 'image source (see `portcullis --help`) or sbom:<file>')
    .addOption(new Option('-o, --output <format>', 'report format').choices(REPORT_FORMATS).default('table'))
    .option('--file <path>', 'write the report to this file instead of stdout')
    .option(
      '--fail-on <severity>',
      'exit 2 when an unsuppressed finding is at or above: negligible|low|medium|high|critical',
    )
    .option('--only-fixed', 'report only findings for which a fixed version exists')
    .addOption(new Option('--sort-by <key>', 'order of findings').choices(SORT_KEYS).default('severity'))
    .option(
      '--base-layers <n>',
      'the bottom n layers are the base image (default: read from the image history)',
    )
    .option(
      '--vex <file>',
      'OpenVEX or CycloneDX VEX document (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      '--ignore-file <file>',
      'ignore rules (YAML), scoped by vulnerability, package, version, path; with expiry',
    )
    .option('--no-changelog', "do not read dpkg packages' changelog.Debian for CVEs they already fix")
    .option('--cpe', 'also match by NVD CPE configurations (low confidence: name guesses; off by default)');
  addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd))).action(
    async (source: string, _opts: unknown, c: Command) => {
      const flags = allFlags<ScanFlags>(c);
      const { report, document } = await runScan(source, flags);
      if (flags.onlyFixed) report.findings = onlyFixed(report.findings);
      const text = RENDERERS[flags.output ?? 'table']({ report, document });
      if (flags.file) {
        await writeFile(flags.file, text).catch((err: unknown) => {
          throw new PortcullisError('IO', `cannot write the report to ${flags.file ?? ''}`, { cause: err });
        });
      } else {
        process.stdout.write(text);
      }
      const threshold: NormalizedSeverity | undefined = report.failOn;
      process.exitCode = gateFailures(report.findings, threshold).length ? EXIT.GATE_FAILED : EXIT.OK;
    },
  );
}
