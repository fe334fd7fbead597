/**
 * `portcullis attest <source>`: scan an image and print an in-toto Statement v1 with cosign's
 * vulnerability predicate (the scan's JSON report as `scanner.result`), subject = the image's
 * name and manifest digest. Sign and attach it with `cosign attest --type vuln`.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { vulnAttestation } from '../../core/attestation/vuln-attestation.js';
import { PortcullisError } from '../../core/errors.js';
import { parseReference, referenceName } from '../../core/image/reference/parse.js';
import { parseSource } from '../../core/image/source.js';
import { renderJson } from '../../core/report/json.js';
import { PORTCULLIS_VERSION } from '../../core/version.js';
import { addAnalyzeFlags, addDatabaseFlags } from '../analyze.js';
import { commandSummary } from '../command-table.js';
import { addImageFlags, allFlags } from '../context.js';
import type { CliRuntime } from '../runtime.js';
import { addFindingsFlags, runScan, type ScanFlags } from './scan.js';

interface AttestFlags extends ScanFlags {
  name?: string;
}

/** A registry source's repository name; other sources need --name (or their first tag). */
function subjectName(source: string, tags: readonly string[] | undefined, name: string | undefined): string {
  if (name) return name;
  const spec = parseSource(source);
  if (spec.scheme === 'registry') return referenceName(parseReference(spec.target));
  const tag = tags?.[0];
  if (tag) return referenceName(parseReference(tag));
  throw new PortcullisError(
    'INVALID_ARGUMENT',
    `name the image of ${source} with --name <registry/repository>`,
  );
}

export function registerAttestCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('attest')
    .description(commandSummary('attest'))
    .argument('<source>', 'image source (see `portcullis --help`)')
    .option('--name <registry/repository>', "the subject's name (default: the registry source's repository)")
    .option('--file <path>', 'write the statement to this file instead of stdout');
  addFindingsFlags(addDatabaseFlags(addAnalyzeFlags(addImageFlags(cmd)))).action(
    async (source: string, _o: unknown, c: Command) => {
      const flags = allFlags<AttestFlags>(c);
      const startedOn = new Date();
      const { report, document } = await runScan(source, flags, runtime);
      const finishedOn = new Date();
      const digest = report.source.digest;
      if (!digest)
        throw new PortcullisError(
          'INVALID_ARGUMENT',
          `${source} has no manifest digest to attest (an image is needed)`,
        );
      const statement = vulnAttestation({
        name: subjectName(source, report.source.tags, flags.name),
        digest,
        scanner: { uri: 'pkg:npm/portcullis', version: PORTCULLIS_VERSION },
        db: {
          uri: `portcullis:vulnerability-data?feeds=${report.database.feeds.map((f) => f.source).join(',')}`,
          version: report.database.oldestSyncAt ?? 'none',
        },
        result: JSON.parse(renderJson({ report, document })),
        startedOn,
        finishedOn,
        invocation: { parameters: ['attest', source], uri: '', event_id: '', 'builder.id': '' },
      });
      const text = `${JSON.stringify(statement, null, 2)}\n`;
      if (flags.file)
        await writeFile(flags.file, text).catch((cause: unknown) => {
          throw new PortcullisError('IO', `cannot write the statement to ${flags.file ?? ''}`, { cause });
        });
      else process.stdout.write(text);
    },
  );
}
