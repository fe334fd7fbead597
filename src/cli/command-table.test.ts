/**
 * The command table start-up relies on: `invokedCommand` finds the command commander will run
 * (so only its module is loaded), and every entry's module defines the command it names,
 * with the summary the top-level help shows.
 */
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { COMMANDS, invokedCommand } from './command-table.js';
import { STDERR_OBSERVER } from './runtime.js';

describe('invokedCommand', () => {
  it.each([
    [['scan', 'alpine'], 'scan'],
    [['--cache-dir', 'scan', 'db', 'status'], 'db'],
    [['--cache-max-size', '1GB', 'sbom', 'x'], 'sbom'],
    [['--cache-dir=/c', 'evaluate', 'x'], 'evaluate'],
    [['help', 'explain'], 'explain'],
    [['--version'], undefined],
    [['--help'], undefined],
    [[], undefined],
  ])('%j runs %s', (argv, expected) => {
    expect(invokedCommand(argv)).toBe(expected);
  });
});

describe('the command table', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: its module defines it', async (name, entry) => {
    const program = new Command('portcullis');
    (await entry.load())(program, { signal: new AbortController().signal, observer: STDERR_OBSERVER });
    const defined = program.commands.find((c) => c.name() === name);
    expect(defined?.description()).toBe(entry.summary);
    const args = defined?.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`));
    expect((args ?? []).join(' ')).toBe(entry.usage);
  });

  it('the top-level help lists every command, a command runs, a typo gets a suggestion', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const entry of COMMANDS) expect(help.out).toMatch(new RegExp(`^  ${entry.name}\\b`, 'm'));
    const list = await runCli(['policy', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toContain('builtin:allow-all');
    const typo = await runCli(['scna']);
    expect(typo.code).toBe(1);
    expect(typo.err).toContain('Did you mean scan?');
  });
});
