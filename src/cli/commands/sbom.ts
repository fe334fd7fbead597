/**
 * `portcullis sbom <source>`: catalog an image (or read an SBOM back) and print it as native
 * JSON, CycloneDX 1.6, SPDX 2.3, a table or a PURL list, to stdout or atomically to a file.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Option, type Command } from 'commander';
import { PortcullisError } from '../../core/errors.js';
import type { SbomDocument } from '../../core/sbom/document.js';
import { toCycloneDxJson } from '../../core/sbom/formats/cyclonedx.js';
import { toSpdxJson } from '../../core/sbom/formats/spdx.js';
import { tableRows, toNativeJson, toPurlList } from '../../core/sbom/formats/text.js';
import { addAnalyzeFlags, analyzeSource, type AnalyzeFlags } from '../analyze.js';
import { addImageFlags, allFlags } from '../context.js';
import { renderTable } from '../output.js';

export const SBOM_FORMATS = ['native', 'cyclonedx-json', 'spdx-json', 'table', 'purls'] as const;
export type SbomOutputFormat = (typeof SBOM_FORMATS)[number];

interface SbomFlags extends AnalyzeFlags {
  output: SbomOutputFormat;
  file?: string;
}

/** The document in the requested format, as the exact bytes to print or write. */
export function renderSbom(doc: SbomDocument, format: SbomOutputFormat): string {
  switch (format) {
    case 'native':
      return toNativeJson(doc) + '\n';
    case 'cyclonedx-json':
      return toCycloneDxJson(doc) + '\n';
    case 'spdx-json':
      return toSpdxJson(doc) + '\n';
    case 'purls':
      return doc.packages.length === 0 ? '' : toPurlList(doc);
    case 'table':
      return renderTable(['name', 'version', 'type', 'origin layer', 'owned by'], tableRows(doc));
  }
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

export function registerSbomCommand(program: Command): void {
  const cmd = program
    .command('sbom')
    .description('catalog the packages of an image and print an SBOM')
    .argument('<source>', 'image source (see `portcullis --help`) or sbom:<file>')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices([...SBOM_FORMATS]).default('native'),
    )
    .option('--file <path>', 'write the SBOM to this file (atomically) instead of stdout');
  addAnalyzeFlags(addImageFlags(cmd)).action(async (source: string, _opts: unknown, c: Command) => {
    const flags = allFlags<SbomFlags>(c);
    const doc = await analyzeSource(source, flags);
    const text = renderSbom(doc, flags.output);
    if (flags.file) await writeAtomically(flags.file, text);
    else process.stdout.write(text);
  });
}
