import { writeFile } from 'node:fs/promises';
import { commandSummary } from '../command-table.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { PortcullisError } from '../../core/errors.js';
import { MAX_INPUT_BYTES, readBoundedFile } from '../../core/io/read-bounded-file.js';
import type { NormalizedSeverity } from '../../core/matching/types.js';
import { scan, validateMaxAge, type FindingsRequest, type ScanResult } from '../../core/pipeline/index.js';
import {
  gateFailures,
  onlyFixed,
  parseSeverity,
  parseSortKey,
  REPORT_FORMATS,
  RENDERERS,
  SORT_KEYS,
  type ReportFormat,
} from '../../core/report/index.js';
import { parseIgnoreFile, parseVexText, type VexDocument } from '../../core/suppression/index.js';
import {
  PACKAGE_DB_UNREADABLE,
  VULNERABILITY_DATA_UNAVAILABLE,
  type FailClosedReason,
} from '../../core/policy/fail-closed.js';
import {
  addAnalyzeFlags,
  addDatabaseFlags,
  analyzeRequest,
  openVulnerabilityDatabase,
  type AnalyzeFlags,
  type DatabaseFlags,
} from '../analyze.js';
import { defaultCacheDir } from '../../config/index.js';
import { addImageFlags, allFlags, withImageOptions } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { CliRuntime } from '../runtime.js';

/** Flags of every command that finds vulnerabilities (scan, explain, evaluate). */
export interface FindingsFlags extends AnalyzeFlags, DatabaseFlags {
  baseLayers?: string;
  vex?: string[];
  ignoreFile?: string;
  changelog?: boolean;
  cpe?: boolean;
  allowNoVulnData?: boolean;
  maxDataAge?: string;
  allowUnreadablePackageDb?: boolean;
}

export interface ScanFlags extends FindingsFlags {
  output?: ReportFormat;
  file?: string;
  failOn?: string;
  onlyFixed?: boolean;
  sortBy?: string;
}

function parseBaseLayers(text: string): number {
  if (!/^\d+$/.test(text)) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--base-layers must be an integer from 0 to the number of layers, got "${text}"`,
    );
  }
  return Number(text);
}

function readInput(file: string, what: string): Promise<Buffer> {
  return readBoundedFile(file, what, MAX_INPUT_BYTES);
}

/** `--max-data-age <hours>` (default 48). */
export function parseMaxDataAge(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const hours = Number(text);
  if (text.trim() === '' || !Number.isFinite(hours) || hours <= 0) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--max-data-age must be a positive number of hours, got "${text}"`,
    );
  }
  return validateMaxAge(hours);
}

/**
 * A gate that failed closed for want of vulnerability data ends like an empty database does
 * (exit 1, NO_VULNERABILITY_DATA), after the report or decision was written: the gate could
 * not judge the image, which is not the same as judging it vulnerable (exit 2).
 */
export function throwIfDataUnavailable(reasons: readonly FailClosedReason[]): void {
  const missing = reasons.filter((r) => r.code === VULNERABILITY_DATA_UNAVAILABLE);
  if (missing.length === 0) return;
  throw new PortcullisError(
    'NO_VULNERABILITY_DATA',
    `${missing.map((r) => r.message).join('; ')} (import it with \`portcullis db update\`, or pass --allow-no-vuln-data to judge the image by the findings alone)`,
  );
}

/** Flags shared by scan, explain and evaluate: the vulnerability data they need. */
export function addDataFlags(cmd: Command): Command {
  return cmd
    .option(
      '--allow-no-vuln-data',
      "go on when the vulnerability database is empty or holds nothing for the image's distro (the result then says nothing about those vulnerabilities)",
    )
    .option('--max-data-age <hours>', 'report vulnerability data older than this as stale', '48');
}

/** The opt-out of the gates' fail-closed rule (scan --fail-on, evaluate). */
export function addGateFlags(cmd: Command): Command {
  return cmd.option(
    '--allow-unreadable-package-db',
    'let the gate pass an image whose package database could not be read (its packages are then unknown)',
  );
}

/** Flags shared by scan and explain: suppressions, base layers, CPE matching. */
export function addFindingsFlags(cmd: Command): Command {
  return addDataFlags(
    cmd
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
      .option('--cpe', 'also match by NVD CPE configurations (low confidence: name guesses; off by default)'),
  );
}

type FindingsOptions = Omit<FindingsRequest, keyof Awaited<ReturnType<typeof analyzeRequest>> | 'data'>;

/**
 * The parts of a findings request that come from the scan flags: the user's VEX and ignore
 * files are read (and parsed) before the slow analysis, so a typo fails fast.
 */
export async function findingsOptions(flags: FindingsFlags): Promise<FindingsOptions> {
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
  const maxAgeHours = parseMaxDataAge(flags.maxDataAge);
  return {
    suppressions: { vex, ...(ignore ? { ignore } : {}), changelog: flags.changelog !== false },
    ...(flags.baseLayers !== undefined ? { baseLayers: parseBaseLayers(flags.baseLayers) } : {}),
    ...(flags.cpe ? { cpe: true } : {}),
    requirements: {
      ...(flags.allowNoVulnData ? { allowNoData: true } : {}),
      ...(maxAgeHours !== undefined ? { maxAgeHours } : {}),
    },
  };
}

/**
 * Runs `use` with an opened database, the resolved image options and a temp dir that are
 * always released, and the request built from the flags (shared with explain and evaluate).
 */
export async function withFindingsRequest<T>(
  source: string,
  flags: FindingsFlags,
  runtime: CliRuntime,
  use: (request: FindingsRequest) => Promise<T>,
): Promise<T> {
  const options = await findingsOptions(flags);
  // One image, one match: the store's memory of the feed generation (ADR 0022) would only cost.
  const database = await openVulnerabilityDatabase(flags, flags.cacheDir ?? defaultCacheDir(), undefined, {
    remember: false,
  });
  try {
    return await withImageOptions(
      flags,
      async (env, image) =>
        use({
          ...(await analyzeRequest(source, flags, env, image, runtime)),
          ...options,
          data: database.data,
        }),
      runtime.signal,
      source,
    );
  } finally {
    await database.close();
  }
}

/** Everything up to rendering: the report holds every finding, sorted, before `--only-fixed`. */
export function runScan(source: string, flags: ScanFlags, runtime: CliRuntime): Promise<ScanResult> {
  const failOn = flags.failOn === undefined ? undefined : parseSeverity(flags.failOn);
  const sortBy = parseSortKey(flags.sortBy ?? 'severity');
  return withFindingsRequest(source, flags, runtime, (request) =>
    scan({
      ...request,
      ...(failOn ? { failOn } : {}),
      sortBy,
      ...(flags.allowUnreadablePackageDb ? { allowUnreadablePackageDb: true } : {}),
    }),
  );
}

export function registerScanCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('scan')
    .description(commandSummary('scan'))
    .argument('<source>', 'image source (see `portcullis --help`) or sbom:<file>')
    .addOption(new Option('-o, --output <format>', 'report format').choices(REPORT_FORMATS).default('table'))
    .option('--file <path>', 'write the report to this file instead of stdout')
    .option(
      '--fail-on <severity>',
      'exit 2 when an unsuppressed finding is at or above: negligible|low|medium|high|critical',
    )
    .option('--only-fixed', 'report only findings for which a fixed version exists')
    .addOption(new Option('--sort-by <key>', 'order of findings').choices(SORT_KEYS).default('severity'));
  addGateFlags(cmd);
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (source: string, _opts: unknown, c: Command) => {
      const flags = allFlags<ScanFlags>(c);
      const { report, document, failClosed } = await runScan(source, flags, runtime);
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
      for (const reason of failClosed) {
        if (reason.code === PACKAGE_DB_UNREADABLE) runtime.observer.warning?.(`--fail-on: ${reason.message}`);
      }
      throwIfDataUnavailable(failClosed);
      const failed = gateFailures(report.findings, threshold).length > 0 || failClosed.length > 0;
      process.exitCode = failed ? EXIT.GATE_FAILED : EXIT.OK;
    },
  );
}
