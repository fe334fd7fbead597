import type { Command } from 'commander';
import { commandSummary } from '../command-table.js';
import { Option } from 'commander';
import { openImages } from '../../core/image/open.js';
import { inspectImage, type InspectReport } from '../../core/image/inspect.js';
import { addImageFlags, allFlags, withImageOptions } from '../context.js';
import { printJson, renderTable } from '../output.js';
import { registerImageFilesCommand } from './image-files.js';
import type { CliRuntime } from '../runtime.js';

export function registerImageCommands(program: Command, runtime: CliRuntime): void {
  const image = program.command('image').description(commandSummary('image'));

  addImageFlags(
    image
      .command('inspect')
      .description('show digest, platform, configuration, history and layers of an image')
      .argument('<source>', 'image source (see `portcullis --help`)')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
      ),
  ).action(async (source: string, _opts: unknown, cmd: Command) => {
    const flags = allFlags<{ output: string }>(cmd);
    const reports = await withImageOptions(
      flags,
      async (env, request) => {
        const images = await openImages(source, env, request);
        return Promise.all(images.map(inspectImage));
      },
      runtime.signal,
      source,
    );
    if (flags.output === 'json') printJson(flags.allPlatforms ? reports : reports[0]);
    else process.stdout.write(reports.map(renderInspect).join('\n'));
  });

  registerImageFilesCommand(image, runtime);
}

function renderInspect(r: InspectReport): string {
  const c = r.config;
  const lines = [
    `Source:       ${r.source}`,
    `Digest:       ${r.digest}`,
    `Media type:   ${r.mediaType}`,
    `Platform:     ${r.platform}`,
    ...(r.created ? [`Created:      ${r.created}`] : []),
    `User:         ${c.user || '(root)'}`,
    `Working dir:  ${c.workingDir || '/'}`,
    `Entrypoint:   ${JSON.stringify(c.entrypoint)}`,
    `Cmd:          ${JSON.stringify(c.cmd)}`,
    `Env:          ${c.env.join(', ') || '-'}`,
    `Ports:        ${c.exposedPorts.join(', ') || '-'}`,
    `Volumes:      ${c.volumes.join(', ') || '-'}`,
    ...(c.healthcheck ? [`Healthcheck:  ${JSON.stringify(c.healthcheck)}`] : []),
    `Labels:       ${
      Object.entries(c.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || '-'
    }`,
    '',
    'History:',
    ...r.history.map(
      (h, i) => `  ${String(i).padStart(3)}  ${h.empty_layer ? '(empty) ' : ''}${h.created_by ?? ''}`,
    ),
    '',
  ];
  const table = renderTable(
    ['#', 'digest', 'diffid', 'size', 'created by'],
    r.layers.map((l) => [
      String(l.index),
      l.digest,
      l.diffId,
      String(l.size),
      (l.createdBy ?? '').slice(0, 60),
    ]),
  );
  return lines.join('\n') + '\nLayers:\n' + table;
}
