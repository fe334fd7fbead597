#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { describeError, isPortcullisError } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import { COMMANDS, invokedCommand } from './command-table.js';
import { registerAutomaticPruning } from './commands/cache-auto.js';
import { installInterruption } from './interrupt.js';
import { progressLine, progressObserver, type ProgressLine } from './progress.js';
import { defaultRuntime, STDERR_OBSERVER, type CliRuntime } from './runtime.js';
import { PORTCULLIS_VERSION } from '../core/version.js';

/**
 * The program with every top-level command: the one `argv` runs is defined in full (its module
 * loaded), the others by name and summary only, which is all `--help` and commander's
 * suggestions for a mistyped name need.
 */
export async function buildProgram(
  argv: readonly string[],
  runtime: CliRuntime = defaultRuntime(),
): Promise<Command> {
  const program = new Command('portcullis')
    .description('Container-image security: analyze images, match vulnerabilities, evaluate policy.')
    .version(PORTCULLIS_VERSION)
    .option(
      '--cache-dir <dir>',
      'cache directory; deleting it is always safe (default: $XDG_CACHE_HOME/portcullis)',
    )
    .option('-q, --quiet', 'no progress line on stderr (warnings and errors still show)')
    .hook('preAction', (root) => {
      if (root.opts<{ quiet?: boolean }>().quiet) runtime.progress?.disable();
    })
    .showHelpAfterError()
    .addHelpText(
      'after',
      `
Image sources:
  [registry:]<ref>            image in a registry (default), e.g. nginx, ghcr.io/org/app:1@sha256:...
  docker:<ref>                image in the local Docker daemon (DOCKER_HOST or /var/run/docker.sock)
  docker-archive:<file>       output of \`docker save\`
  oci-archive:<file>          OCI image layout packed in a tar
  oci-dir:<dir>[:<tag>]       OCI image layout directory
  dir:<rootfs>                a plain directory, read as a one-layer image

Exit codes:
  0  success (and the image passed, for gates)
  1  error: bad input, unreachable registry, corrupt image, usage error
  2  gate failed: scan --fail-on threshold hit, or evaluate decided STOP`,
    );
  program.exitOverride();
  registerAutomaticPruning(program);
  const invoked = invokedCommand(argv);
  for (const entry of COMMANDS) {
    if (entry.name === invoked) (await entry.load())(program, runtime);
    else program.command(`${entry.name} ${entry.usage}`.trim()).description(entry.summary);
  }
  program
    .command('serve')
    .description('start the REST API and a worker (`serve --help`)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_o: unknown, c: Command) => {
      runtime.signalEndsNormally?.();
      await (
        await import('../main/serve.js')
      ).serveFromCli(c.args, (line) => console.log(line), runtime.signal);
    });
  return program;
}

export async function main(argv: readonly string[], runtime?: CliRuntime): Promise<number> {
  try {
    const program = await buildProgram(argv, runtime);
    await program.parseAsync([...argv], { from: 'user' });
    runtime?.progress?.clear();
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode);
  } catch (err) {
    runtime?.progress?.clear();
    if (err instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    if (runtime?.signal.aborted) {
      console.error('portcullis: interrupted; temporary files removed');
      return EXIT.ERROR;
    }
    const code = isPortcullisError(err) ? ` [${err.code}]` : '';
    console.error(`portcullis: error${code}: ${describeError(err)}`);
    return EXIT.ERROR;
  }
}

function flushThenExit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * The progress line on this process's stderr (drawn only when it is a terminal). When stdout
 * is the same terminal, the line is cleared before anything is written there, so a report
 * never starts in the middle of it.
 */
function terminalProgress(): ProgressLine {
  const line = progressLine(process.stderr);
  if (process.stderr.isTTY && process.stdout.isTTY) {
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((...args: Parameters<typeof write>) => {
      line.clear();
      return write(...args);
    }) as typeof process.stdout.write;
  }
  return line;
}

/** Entry used by bin/portcullis.js and by `tsx src/cli/main.ts`. */
export function run(): void {
  // A second signal while the first one's cleanup runs exits at once.
  const interruption = installInterruption((code) => process.exit(code));
  const progress = terminalProgress();
  const observer = progressObserver(STDERR_OBSERVER, progress);
  main(process.argv.slice(2), {
    signal: interruption.signal,
    observer,
    progress,
    signalEndsNormally: () => interruption.endsNormally(),
  }).then(
    // Exit only once stdout and stderr are flushed: a piped reader must get every byte.
    (code) => {
      interruption.dispose();
      flushThenExit(interruption.exitCode() ?? code);
    },
    (err: unknown) => {
      console.error(`portcullis: internal error: ${describeError(err)}`);
      process.exit(EXIT.ERROR);
    },
  );
}

if (process.argv[1] !== undefined && /[/\\]cli[/\\]main\.[tj]s$/.test(process.argv[1])) run();
