import type { Command } from 'commander';
import { Option } from 'commander';
import picomatch from 'picomatch';
import { PortcullisError } from '../../core/errors.js';
import { LayeredFilesystem, modeString, type LayerEntry, type LayerInfo } from '../../core/fs/index.js';
import { openImage } from '../../core/image/open.js';
import { addImageFlags, allFlags, withImageOptions } from '../context.js';
import { renderTable } from '../output.js';
import type { CliRuntime } from '../runtime.js';

interface FilesFlags {
  output: 'table' | 'json';
  layer?: string;
}

/** One row of `image files`: a squashed entry, or an entry of one layer with `--layer`. */
interface FileRow {
  entry: LayerEntry & { layers?: readonly number[] };
  layer: LayerInfo;
}

export function registerImageFilesCommand(image: Command, runtime: CliRuntime): void {
  addImageFlags(
    image
      .command('files')
      .description('list the squashed filesystem of an image with the layer each path came from')
      .argument('<source>', 'image source (see `portcullis --help`)')
      .argument('[glob]', 'only paths matching this glob (picomatch, absolute: "/etc/**", "**/*.so")')
      .option('--layer <n>', 'list what layer N itself contains (0 = base), whiteouts included')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'),
      ),
  ).action(async (source: string, glob: string | undefined, _opts: unknown, cmd: Command) => {
    const flags = allFlags<FilesFlags>(cmd);
    const layerIndex = flags.layer === undefined ? undefined : parseLayer(flags.layer);
    const { rows, problems } = await withImageOptions(
      flags,
      async (env, request) => {
        const img = await openImage(source, env, request);
        const count = (await img.layers()).length;
        if (layerIndex !== undefined && layerIndex >= count) {
          // Checked before indexing, which reads every layer.
          throw new PortcullisError(
            'INVALID_ARGUMENT',
            `${img.source} has ${count} layers (0-${count - 1}); there is no layer ${layerIndex}`,
          );
        }
        const fs = await LayeredFilesystem.fromImage(img, {
          limits: env.limits,
          tempDir: request.tempDir,
          onLayer: progress(),
        });
        return { rows: collectRows(fs, layerIndex, glob), problems: fs.problems };
      },
      runtime.signal,
      source,
    );
    for (const p of problems) console.error(`portcullis: warning: layer ${p.layer}: ${p.message}`);
    const text =
      flags.output === 'json' ? JSON.stringify(rows.map(toJson), null, 2) + '\n' : renderRows(rows);
    await writeOut(text);
  });
}

function parseLayer(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new PortcullisError(
      'INVALID_ARGUMENT',
      `--layer must be a layer index (0, 1, ...), got "${value}"`,
    );
  }
  return Number(value);
}

function collectRows(
  fs: LayeredFilesystem,
  layerIndex: number | undefined,
  glob: string | undefined,
): FileRow[] {
  const infoOf = (i: number) => fs.layers[i] as LayerInfo;
  if (layerIndex === undefined) {
    const entries = glob === undefined ? fs.entries() : fs.glob(glob);
    return entries.map((entry) => ({ entry, layer: infoOf(entry.layer) }));
  }
  const entries = fs.layerEntries(layerIndex);
  const pattern = glob === undefined || glob.startsWith('/') || glob.startsWith('*') ? glob : `/${glob}`;
  const match = pattern === undefined ? () => true : picomatch(pattern, { dot: true });
  return entries.filter((e) => match(e.path)).map((entry) => ({ entry, layer: infoOf(layerIndex) }));
}

function toJson({ entry, layer }: FileRow): Record<string, unknown> {
  return {
    path: entry.path,
    type: entry.type,
    mode: entry.mode,
    uid: entry.uid,
    gid: entry.gid,
    size: entry.size,
    mtime: new Date(entry.mtime).toISOString(),
    ...(entry.linkTarget === undefined ? {} : { linkTarget: entry.linkTarget }),
    layer: { index: layer.index, diffId: layer.diffId },
    layers: entry.layers ?? [layer.index],
  };
}

function renderRows(rows: readonly FileRow[]): string {
  return renderTable(
    ['mode', 'uid:gid', 'size', 'layer', 'path'],
    rows.map(({ entry, layer }) => [
      modeString(entry.type, entry.mode),
      `${entry.uid}:${entry.gid}`,
      String(entry.size),
      String(layer.index),
      entry.type === 'whiteout' || entry.type === 'opaque'
        ? `${entry.path} (${entry.type})`
        : entry.linkTarget === undefined
          ? entry.path
          : `${entry.path} -> ${entry.linkTarget}`,
    ]),
  );
}

/** Layer-by-layer progress on stderr, only for a person watching a terminal. */
function progress(): ((done: number, total: number, entries: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total, entries) => {
    process.stderr.write(`\rindexing layer ${done}/${total} (${entries} paths)${done === total ? '\n' : ''}`);
  };
}

/**
 * Resolves once stdout has taken the text: the listing is often megabytes and the CLI exits
 * right after the command, which would cut a piped stdout at the first 64 KiB.
 */
function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}
