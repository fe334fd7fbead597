/**
 * `portcullis evaluate`: analyse, match, apply the same suppressions as `scan`, and evaluate a
 * policy bundle. Exit 0 pass, 2 fail, 1 error (an empty vulnerability database, or none for
 * the image's distro, included, unless --allow-no-vuln-data).
 */
import { commandSummary } from '../command-table.js';
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseReference, referenceName } from '../../core/image/reference/parse.js';
import { parseSource } from '../../core/image/source.js';
import { MAX_INPUT_BYTES, readBoundedFile } from '../../core/io/read-bounded-file.js';
import { evaluate, isStale } from '../../core/pipeline/index.js';
import { renderDecisionJson, renderDecisionTable } from '../../core/policy/index.js';
import { resolveBundle } from '../../core/policy/load.js';
import { addAnalyzeFlags, addDatabaseFlags } from '../analyze.js';
import { addImageFlags, allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { CliRuntime } from '../runtime.js';
import {
  addFindingsFlags,
  addGateFlags,
  throwIfDataUnavailable,
  withFindingsRequest,
  type FindingsFlags,
} from './scan.js';

interface EvaluateFlags extends FindingsFlags {
  policy: string;
  tag?: string[];
  output: string;
  dockerfile?: string;
}

/** A registry source names its own tag (normalized as Docker does); other sources need --tag. */
export function registryTag(source: string): string[] {
  const spec = parseSource(source);
  if (spec.scheme !== 'registry') return [];
  const ref = parseReference(spec.target);
  return [`${referenceName(ref)}:${ref.tag ?? 'latest'}`];
}

export function registerEvaluateCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('evaluate')
    .description(commandSummary('evaluate'))
    .argument('<source>', 'image source or sbom:<file>')
    .requiredOption(
      '--policy <bundle>',
      'policy bundle: a JSON file (Anchore format 1_0) or builtin:<name> (see `policy list`)',
    )
    .option(
      '--tag <registry/repo:tag>',
      'tag the image is evaluated as, for bundle mappings (repeatable)',
      (v: string, p: string[]) => [...p, v],
      [],
    )
    .option(
      '--dockerfile <file>',
      'the Dockerfile the image was built from (else reconstructed from history)',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    );
  addGateFlags(cmd);
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (source: string, _o: unknown, command: Command) => {
      const flags = allFlags<EvaluateFlags>(command);
      const bundle = await resolveBundle(flags.policy);
      const dockerfile = flags.dockerfile
        ? (await readBoundedFile(flags.dockerfile, 'Dockerfile', MAX_INPUT_BYTES)).toString('utf8')
        : undefined;
      const tags = flags.tag?.length ? flags.tag : registryTag(source);
      const { decision, stage } = await withFindingsRequest(source, flags, runtime, (request) =>
        evaluate({
          ...request,
          bundle,
          tags,
          ...(dockerfile !== undefined ? { dockerfile } : {}),
          ...(flags.allowUnreadablePackageDb ? { allowUnreadablePackageDb: true } : {}),
        }),
      );
      process.stdout.write(
        flags.output === 'json' ? renderDecisionJson(decision) + '\n' : renderDecisionTable(decision),
      );
      if (!stage.dataState.available) {
        runtime.observer.warning?.('the vulnerability database is empty: no vulnerability was checked');
      } else if (isStale(stage.dataState, stage.now)) {
        runtime.observer.warning?.(
          `the vulnerability data is stale: last synced ${stage.dataState.oldestSyncAt ?? '?'}, older than ${stage.dataState.staleAfterHours} h (run \`portcullis db update\`)`,
        );
      }
      throwIfDataUnavailable(decision.failClosed);
      process.exitCode = decision.status === 'pass' ? EXIT.OK : EXIT.GATE_FAILED;
    },
  );
}
