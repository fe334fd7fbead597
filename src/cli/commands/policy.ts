import type { Command } from 'commander';
import { commandSummary } from '../command-table.js';
import { Option } from 'commander';
import { BUILTIN_BUNDLES } from '../../core/policy/builtin/index.js';
import { BUILTIN_PREFIX, validateBundleSpec } from '../../core/policy/load.js';
import { policySpec, type SpecGate } from '../../core/policy/spec.js';
import { EXIT } from '../exit-codes.js';
import { printJson, renderTable } from '../output.js';

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
  const policy = program.command('policy').description(commandSummary('policy'));

  policy
    .command('validate')
    .description('validate an Anchore policy bundle (format 1_0); prints every problem')
    .argument('<bundle>', 'bundle JSON file, or builtin:<name>')
    .action(async (spec: string) => {
      const result = await validateBundleSpec(spec);
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
