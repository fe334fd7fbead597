/**
 * `portcullis explain <vuln-id> <source>`: scans the source like `scan` does and prints the
 * evidence chain of one vulnerability id or alias.
 */
import type { Command } from 'commander';
import { renderExplanation } from '../../core/report/index.js';
import { addAnalyzeFlags, addDatabaseFlags } from '../analyze.js';
import { addImageFlags, allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { runScan, type ScanFlags } from './scan.js';

export function registerExplainCommand(program: Command): void {
  const cmd = program
    .command('explain')
    .description('show why a vulnerability matched: package, advisory record, range, scheme, enrichment')
    .argument('<vuln-id>', 'vulnerability id or alias, e.g. CVE-2021-44906 or GHSA-xvch-5gv4-984h')
    .argument('<source>', 'image source (see `portcullis --help`) or sbom:<file>')
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
    .option('--ignore-file <file>', 'ignore rules, as for scan')
    .option('--no-changelog', "do not read dpkg packages' changelog.Debian for CVEs they already fix")
    .option('--cpe', 'also match by NVD CPE configurations, as for scan');
  addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd))).action(
    async (id: string, source: string, _opts: unknown, c: Command) => {
      const flags = allFlags<ScanFlags>(c);
      const { report } = await runScan(source, flags);
      process.stdout.write(renderExplanation(report, id));
      process.exitCode = EXIT.OK;
    },
  );
}
