/**
 * `portcullis report`: the evaluate pipeline (analyse, match, suppress, policy), rendered for
 * people as one self-contained HTML page or a PDF printed from it by Chromium. Exit codes are
 * evaluate's: 0 pass, 2 fail, 1 error, so a pipeline can keep the report and gate on it.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { PortcullisError } from '../../core/errors.js';
import { evaluate, isStale, type EvaluateResult } from '../../core/pipeline/index.js';
import { resolveBundle } from '../../core/policy/load.js';
import {
  DEFAULT_TEAM_LABEL_KEYS,
  renderHtmlReport,
  teamLabel,
  type HtmlReportInput,
} from '../../core/report/html/index.js';
import { PORTCULLIS_VERSION } from '../../core/version.js';
import { DEFAULT_CHROMIUM, printPdf } from '../../main/pdf.js';
import { addAnalyzeFlags, addDatabaseFlags } from '../analyze.js';
import { commandSummary } from '../command-table.js';
import { addImageFlags, allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { CliRuntime } from '../runtime.js';
import { registryTag } from './evaluate.js';
import { addFindingsFlags, addGateFlags, withFindingsRequest, type FindingsFlags } from './scan.js';

interface ReportFlags extends FindingsFlags {
  policy: string;
  format: 'html' | 'pdf';
  file?: string;
  tag?: string[];
  teamLabel?: string[];
  chromium: string;
  pdfTimeout: string;
}

/** The report's data from an evaluation; `keys` name the labels that say which team owns it. */
export function reportInput(
  source: string,
  result: EvaluateResult,
  keys: readonly string[],
): HtmlReportInput {
  const { stage, decision } = result;
  const { document, config } = stage.analysis;
  const team = teamLabel({ labels: config?.config.Labels ?? {} }, keys);
  const distro = document.distro;
  return {
    image: {
      reference: decision.image.tag ?? source,
      ...(document.source.digest ? { digest: document.source.digest } : {}),
      ...(distro ? { distro: distro.prettyName ?? `${distro.id} ${distro.versionId ?? ''}`.trim() } : {}),
      ...(document.source.platform ? { platform: document.source.platform } : {}),
    },
    ...(team ? { team } : {}),
    decision,
    findings: stage.findings,
    layers: document.source.layers,
    generatedAt: stage.now.toISOString(),
    data: {
      available: stage.dataState.available,
      stale: isStale(stage.dataState, stage.now),
      ...(stage.dataState.oldestSyncAt ? { oldestSyncAt: stage.dataState.oldestSyncAt } : {}),
    },
    productVersion: PORTCULLIS_VERSION,
  };
}

function pdfTimeoutMs(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600)
    throw new PortcullisError('INVALID_ARGUMENT', `--pdf-timeout must be 1 to 600 seconds, got "${text}"`);
  return seconds * 1000;
}

export function registerReportCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('report')
    .description(commandSummary('report'))
    .argument('<source>', 'image source or sbom:<file>')
    .requiredOption('--policy <bundle>', 'policy bundle: a JSON file (Anchore format 1_0) or builtin:<name>')
    .addOption(new Option('--format <format>', 'report format').choices(['html', 'pdf']).default('html'))
    .option('--file <path>', 'write the report to this file (else stdout)')
    .option(
      '--tag <registry/repo:tag>',
      'tag the image is evaluated as, for bundle mappings (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      '--team-label <key>',
      `image label naming the owning team, tried in order (repeatable; default ${DEFAULT_TEAM_LABEL_KEYS.join(', ')})`,
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option('--chromium <path>', 'the Chromium that prints PDF reports', DEFAULT_CHROMIUM)
    .option('--pdf-timeout <seconds>', 'time limit for printing the PDF', '60');
  addGateFlags(cmd);
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (source: string, _o: unknown, command: Command) => {
      const flags = allFlags<ReportFlags>(command);
      const timeoutMs = pdfTimeoutMs(flags.pdfTimeout);
      if (flags.format === 'pdf' && !flags.file && process.stdout.isTTY)
        throw new PortcullisError(
          'INVALID_ARGUMENT',
          'a PDF report goes to --file or a pipe, not a terminal',
        );
      const bundle = await resolveBundle(flags.policy);
      const tags = flags.tag?.length ? flags.tag : registryTag(source);
      const result = await withFindingsRequest(source, flags, runtime, (request) =>
        evaluate({
          ...request,
          bundle,
          tags,
          ...(flags.allowUnreadablePackageDb ? { allowUnreadablePackageDb: true } : {}),
        }),
      );
      const keys = flags.teamLabel?.length ? flags.teamLabel : DEFAULT_TEAM_LABEL_KEYS;
      const page = renderHtmlReport(reportInput(source, result, keys));
      const body =
        flags.format === 'pdf'
          ? await printPdf(page, { executablePath: flags.chromium, timeoutMs })
          : Buffer.from(page, 'utf8');
      if (flags.file) {
        await writeFile(flags.file, body).catch((err: unknown) => {
          throw new PortcullisError('IO', `cannot write the report to ${flags.file ?? ''}`, { cause: err });
        });
      } else {
        process.stdout.write(body);
      }
      if (!result.stage.dataState.available)
        runtime.observer.warning?.('the vulnerability database is empty: no vulnerability was checked');
      process.exitCode = result.decision.status === 'pass' ? EXIT.OK : EXIT.GATE_FAILED;
    },
  );
}
