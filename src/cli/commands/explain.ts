/**
 * `portcullis explain <vuln-id> <source>`: scans the source like `scan` does and says what one
 * vulnerability id (or alias) means for it: the evidence chain when it affects a package, the
 * installed versions it does not affect, that no package is named by it, or that the database
 * does not know it. A malformed id is an error before any work.
 */
import { commandSummary } from '../command-table.js';
import { Option, type Command } from 'commander';
import { explain, idSpellings, type Explanation } from '../../core/pipeline/index.js';
import { renderExplanation } from '../../core/report/index.js';
import { addAnalyzeFlags, addDatabaseFlags } from '../analyze.js';
import { addImageFlags, allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { CliRuntime } from '../runtime.js';
import { addFindingsFlags, withFindingsRequest, type FindingsFlags } from './scan.js';

const REASON_TEXT = {
  'fixed-at-or-below-installed': 'the installed version already contains the fix',
  'outside-affected-ranges': 'the installed version is outside the affected ranges',
  'not-affected-per-distro': 'the distribution says this package was never affected',
} as const;

function explanationText(e: Explanation): string {
  const input = e.report.source.input;
  switch (e.kind) {
    case 'affected':
      return renderExplanation(e.report, e.id);
    case 'not-affected':
      return (
        `${e.id} does not affect ${input}: it names installed packages, but not their installed versions.\n` +
        e.packages
          .map(
            (p) =>
              `  ${p.name} ${p.version} (${p.type}): ${REASON_TEXT[p.reason]}` +
              `${p.fixedVersions.length ? ` (fixed in ${p.fixedVersions.join(', ')})` : ''}; advisory ${p.advisoryId} in ${p.namespace}`,
          )
          .join('\n') +
        '\n'
      );
    case 'not-present':
      return `${e.id} does not affect ${input}: the database knows it (${e.advisories} record${e.advisories === 1 ? '' : 's'}), but no package of the image is named by it.\n`;
    case 'unknown':
      return `${e.id} is not in the vulnerability database: check the id, or run \`portcullis db update\` if it is new.\n`;
  }
}

function explanationJson(e: Explanation): string {
  const base = { id: e.id, result: e.kind, source: e.report.source.input };
  const body =
    e.kind === 'affected'
      ? { ...base, findings: e.findings }
      : e.kind === 'not-affected'
        ? { ...base, packages: e.packages }
        : e.kind === 'not-present'
          ? { ...base, advisories: e.advisories }
          : base;
  return JSON.stringify(body, null, 2) + '\n';
}

export function registerExplainCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('explain')
    .description(commandSummary('explain'))
    .argument('<vuln-id>', 'vulnerability id or alias, e.g. CVE-2021-44906 or GHSA-xvch-5gv4-984h')
    .argument('<source>', 'image source (see `portcullis --help`) or sbom:<file>')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
    );
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (id: string, source: string, _opts: unknown, c: Command) => {
      const flags = allFlags<FindingsFlags & { output: string }>(c);
      idSpellings(id); // a malformed id fails before the database is opened or the image read
      const explanation = await withFindingsRequest(source, flags, runtime, (request) =>
        explain({ ...request, id }),
      );
      process.stdout.write(
        flags.output === 'json' ? explanationJson(explanation) : explanationText(explanation),
      );
      process.exitCode = EXIT.OK;
    },
  );
}
