import type { Command } from 'commander';
import { Option } from 'commander';
import { defaultCacheDir } from '../../config/index.js';
import { buildPolicyInput } from '../../core/evaluation/policy-input.js';
import { baseLayersFromHistory } from '../../core/matching/base-layers.js';
import { matchSbom } from '../../core/matching/match.js';
import { evaluatePolicy, renderDecisionJson, renderDecisionTable } from '../../core/policy/index.js';
import { compareByPackageType } from '../../core/versioning/by-package-type.js';
import { namespacesBySource } from '../../store/feed-coverage.js';
import {
  addAnalyzeFlags,
  addDatabaseFlags,
  analyzeSourceDetailed,
  openVulnerabilityDatabase,
  type AnalyzeFlags,
  type DatabaseFlags,
} from '../analyze.js';
import { addImageFlags, allFlags } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { resolveBundle } from '../../core/policy/load.js';
import { parseSource } from '../../core/image/source.js';
import { MAX_INPUT_BYTES, readBoundedFile } from '../../core/io/read-bounded-file.js';
import { parseReference, referenceName } from '../../core/image/reference/parse.js';

interface EvaluateFlags extends AnalyzeFlags, DatabaseFlags {
  policy: string;
  tag?: string[];
  output: string;
  dockerfile?: string;
}

/** A registry source names its own tag (normalized as Docker does); other sources need --tag. */
function registryTag(source: string): string[] {
  const spec = parseSource(source);
  if (spec.scheme !== 'registry') return [];
  const ref = parseReference(spec.target);
  return [`${referenceName(ref)}:${ref.tag ?? 'latest'}`];
}

export function registerEvaluateCommand(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description(
      'analyze an image, match vulnerabilities and evaluate a policy bundle: exit 0 pass, 2 fail, 1 error',
    )
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
  addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd))).action(
    async (source: string, _o: unknown, command: Command) => {
      const flags = allFlags<EvaluateFlags>(command);
      const bundle = await resolveBundle(flags.policy);
      const dockerfile = flags.dockerfile
        ? (await readBoundedFile(flags.dockerfile, 'Dockerfile', MAX_INPUT_BYTES)).toString('utf8')
        : undefined;
      const analysis = await analyzeSourceDetailed(source, flags);
      const database = await openVulnerabilityDatabase(flags, flags.cacheDir ?? defaultCacheDir());
      try {
        const baseLayerCount = analysis.config ? baseLayersFromHistory(analysis.config.history) : undefined;
        const { findings } = await matchSbom(
          analysis.document,
          database.store,
          baseLayerCount === undefined ? {} : { baseLayerCount },
        );
        const coverage = await namespacesBySource(database.db);
        const feeds = (await database.store.status()).map((s) => ({
          name: s.source,
          namespaces: coverage.get(s.source) ?? [],
          lastSync: new Date(s.lastSync),
          records: s.records,
        }));
        const tags = flags.tag?.length ? flags.tag : registryTag(source);
        const input = buildPolicyInput({
          ...analysis,
          findings,
          feeds,
          tags,
          ...(dockerfile !== undefined ? { dockerfile } : {}),
          now: new Date(),
        });
        const decision = evaluatePolicy(bundle, input, {
          ...(tags[0] ? { tag: tags[0] } : {}),
          services: { compareVersions: compareByPackageType },
        });
        process.stdout.write(
          flags.output === 'json' ? renderDecisionJson(decision) + '\n' : renderDecisionTable(decision),
        );
        process.exitCode = decision.status === 'pass' ? EXIT.OK : EXIT.GATE_FAILED;
      } finally {
        await database.close();
      }
    },
  );
}
