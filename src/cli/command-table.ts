/**
 * The top-level commands, light enough to load on every start: a name, the one-line summary
 * `--help` lists, and how to load the module that defines the command's flags and action.
 * Only the command that runs is loaded (`--version` and `--help` load none), so start-up does
 * not pay for every command's imports (the image back-ends, the catalogers, the database).
 */
import type { Command } from 'commander';
import type { CliRuntime } from './runtime.js';

export interface CommandEntry {
  name: string;
  /** Arguments as shown in the top-level help, e.g. `<source>`. */
  usage: string;
  summary: string;
  load(): Promise<(program: Command, runtime: CliRuntime) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'image',
    usage: '',
    summary: 'read images: metadata and filesystem',
    load: async () => (await import('./commands/image.js')).registerImageCommands,
  },
  {
    name: 'policy',
    usage: '',
    summary: 'policy bundles: validate, list built-ins, show the gate spec',
    load: async () => (await import('./commands/policy.js')).registerPolicyCommands,
  },
  {
    name: 'db',
    usage: '',
    summary: 'the local vulnerability database: status, update, offline bundle export/import',
    load: async () => (await import('./commands/db.js')).registerDbCommands,
  },
  {
    name: 'scan',
    usage: '<source>',
    summary: 'find the vulnerabilities of an image or SBOM in the local vulnerability database',
    load: async () => (await import('./commands/scan.js')).registerScanCommand,
  },
  {
    name: 'explain',
    usage: '<vuln-id> <source>',
    summary:
      'show why a vulnerability matched (or why not): package, advisory record, range, scheme, enrichment',
    load: async () => (await import('./commands/explain.js')).registerExplainCommand,
  },
  {
    name: 'sbom',
    usage: '<source>',
    summary: 'catalog the packages of an image and print an SBOM',
    load: async () => (await import('./commands/sbom.js')).registerSbomCommand,
  },
  {
    name: 'evaluate',
    usage: '<source>',
    summary:
      'analyze an image, match vulnerabilities and evaluate a policy bundle: exit 0 pass, 2 fail, 1 error',
    load: async () => (await import('./commands/evaluate.js')).registerEvaluateCommand,
  },
  {
    name: 'attest',
    usage: '<source>',
    summary:
      'scan an image and print an in-toto statement with the cosign vulnerability predicate (for `cosign attest --type vuln`)',
    load: async () => (await import('./commands/attest.js')).registerAttestCommand,
  },
  {
    name: 'k8s',
    usage: '',
    summary:
      "Kubernetes: evaluate a namespace's running images into a PolicyReport (wgpolicyk8s.io/v1alpha2)",
    load: async () => (await import('./commands/k8s.js')).registerK8sCommands,
  },
  {
    name: 'report',
    usage: '<source>',
    summary:
      'evaluate an image and write a report for people: a self-contained HTML page or a PDF (exit codes as evaluate)',
    load: async () => (await import('./commands/report.js')).registerReportCommand,
  },
  {
    name: 'promote',
    usage: '<src> <dst>',
    summary:
      'evaluate a registry image like `evaluate` and copy it by digest to another repository only on pass',
    load: async () => (await import('./commands/promote.js')).registerPromoteCommand,
  },
  {
    name: 'cache',
    usage: '',
    summary: 'the blob and layer caches under the cache dir: sizes and LRU pruning',
    load: async () => (await import('./commands/cache.js')).registerCacheCommands,
  },
];

/** The summary of a top-level command, for its own definition (written once, here). */
export function commandSummary(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no top-level command "${name}" in the command table`);
  return entry.summary;
}

/** Global options that take a value: their value is not a command name. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--cache-dir', '--cache-max-size']);

/**
 * The top-level command `argv` runs (`help <name>` counts as `<name>`), as commander will
 * resolve it; undefined when none (`--version`, `--help`, nothing).
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return argv[i + 1];
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    return arg === 'help' ? argv[i + 1] : arg;
  }
  return undefined;
}
