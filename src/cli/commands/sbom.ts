/**
 * `portcullis sbom <source>`: catalog an image (or read an SBOM back) and print it as native
 * JSON, CycloneDX 1.6, SPDX 2.3, a table or a PURL list, to stdout or atomically to a file.
 */
import { commandSummary } from '../command-table.js';
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { PortcullisError } from '../../core/errors.js';
import { analyze } from '../../core/pipeline/index.js';
import { renderSbom, SBOM_FORMATS, type SbomOutputFormat } from '../../core/sbom/formats/index.js';
import { addAnalyzeFlags, analyzeRequest, type AnalyzeFlags } from '../analyze.js';
import { addImageFlags, allFlags, withImageOptions } from '../context.js';
import type { CliRuntime } from '../runtime.js';

interface SbomFlags extends AnalyzeFlags {
  output: SbomOutputFormat;
  file?: string;
}

/** Temp file in the target's directory, then rename: readers never see a half-written SBOM. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new PortcullisError('IO', `cannot write SBOM to ${file}`, { cause: err });
  }
}

export function registerSbomCommand(program: Command, runtime: CliRuntime): void {
  const cmd = program
    .command('sbom')
    .description(commandSummary('sbom'))
    .argument('<source>', 'image source (see `portcullis --help`) or sbom:<file>')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices([...SBOM_FORMATS]).default('native'),
    )
    .option('--file <path>', 'write the SBOM to this file (atomically) instead of stdout');
  addAnalyzeFlags(addImageFlags(cmd)).action(async (source: string, _opts: unknown, c: Command) => {
    const flags = allFlags<SbomFlags>(c);
    const { document: doc } = await withImageOptions(
      flags,
      async (env, image) => analyze(await analyzeRequest(source, flags, env, image, runtime)),
      runtime.signal,
      source,
    );
    const text = renderSbom(doc, flags.output);
    if (flags.file) await writeAtomically(flags.file, text);
    else process.stdout.write(text);
  });
}
