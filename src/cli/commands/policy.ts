import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { PortcullisError } from '../../core/errors.js';
import { BUILTIN_BUNDLES, loadBuiltinBundle } from '../../core/policy/builtin/index.js';
import type { ValidatedBundle } from '../../core/policy/bundle.js';
import { policySpec, type SpecGate } from '../../core/policy/spec.js';
import {
  loadBundle,
  MAX_BUNDLE_BYTES,
  validateBundleText,
  validateBundle,
  type ValidationResult,
} from '../../core/policy/validate.js';
import { EXIT } from '../exit-codes.js';
import { printJson, renderTable } from '../output.js';

const BUILTIN_PREFIX = 'builtin:';

async function readBundleText(file: string): Promise<string> {
  const cannotRead = (err: unknown) =>
    new PortcullisError('IO', `cannot read policy bundle ${file}`, { cause: err, details: { path: file } });
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (err) {
    throw cannotRead(err);
  }
  // Checked before reading so an endless source (a FIFO, /dev/zero) or a huge file is never loaded.
  if (!info.isFile()) {
    throw new PortcullisError('IO', `policy bundle ${file} is not a regular file`, {
      details: { path: file },
    });
  }
  if (info.size > MAX_BUNDLE_BYTES) {
    throw new PortcullisError(
      'SIZE_LIMIT',
      `policy bundle ${file} is ${info.size} bytes (limit ${MAX_BUNDLE_BYTES})`,
      {
        details: { path: file, size: info.size },
      },
    );
  }
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw cannotRead(err);
  }
}

/** `builtin:<name>` or a bundle file, validated; throws POLICY_INVALID listing every problem. */
export async function resolveBundle(spec: string): Promise<ValidatedBundle> {
  if (spec.startsWith(BUILTIN_PREFIX)) return loadBuiltinBundle(spec.slice(BUILTIN_PREFIX.length));
  return loadBundle(await readBundleText(spec), spec);
}

async function validateSpec(spec: string): Promise<ValidationResult> {
  if (spec.startsWith(BUILTIN_PREFIX)) {
    const name = spec.slice(BUILTIN_PREFIX.length);
    const found = BUILTIN_BUNDLES.find((b) => b.name === name);
    if (!found) loadBuiltinBundle(name); // throws NOT_FOUND naming the available bundles
    return validateBundle(found?.document);
  }
  return validateBundleText(await readBundleText(spec));
}

function renderSpecTable(spec: SpecGate[]): string {
  const rows = spec.flatMap((g) =>
    g.triggers.map((t) => [
      g.name,
      t.name,
      t.state,
      t.parameters.map((p) => `${p.name}${p.required ? '*' : ''}${p.extension ? '+' : ''}`).join(', ') || '-',
    ]),
  );
  return renderTable(['gate', 'trigger', 'state', 'parameters (* required, + Portcullis extension)'], rows);
}

export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('policy bundles: validate, list built-ins, show the gate spec');

  policy
    .command('validate')
    .description('validate an Anchore policy bundle (format 1_0); prints every problem')
    .argument('<bundle>', 'bundle JSON file, or builtin:<name>')
    .action(async (spec: string) => {
      const result = await validateSpec(spec);
      for (const w of result.warnings) process.stderr.write(`warning: ${w.path}: ${w.message}\n`);
      if (!result.ok) {
        for (const e of result.errors) process.stdout.write(`${e.path}: ${e.message}\n`);
        process.stdout.write(
          `${spec}: invalid (${result.errors.length} error${result.errors.length === 1 ? '' : 's'})\n`,
        );
        process.exitCode = EXIT.ERROR;
        return;
      }
      const rules = result.bundle.policies.reduce((n, p) => n + p.rules.length, 0);
      process.stdout.write(
        `${spec}: valid (${result.bundle.policies.length} policies, ${rules} rules, ${result.bundle.mappings.length} mappings)\n`,
      );
    });

  policy
    .command('spec')
    .description("show every gate, trigger and parameter (the shape of Anchore's /system/policy_spec)")
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action((opts: { output: string }) => {
      const spec = policySpec();
      if (opts.output === 'json') printJson(spec);
      else process.stdout.write(renderSpecTable(spec));
    });

  policy
    .command('list')
    .description('list the built-in bundles (use them as builtin:<name>)')
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .action((opts: { output: string }) => {
      if (opts.output === 'json')
        printJson(BUILTIN_BUNDLES.map((b) => ({ name: b.name, description: b.description })));
      else
        process.stdout.write(
          renderTable(
            ['name', 'description'],
            BUILTIN_BUNDLES.map((b) => [`${BUILTIN_PREFIX}${b.name}`, b.description]),
          ),
        );
    });
}
