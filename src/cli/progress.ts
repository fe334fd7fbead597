/**
 * Progress of long steps on a terminal: one line on stderr, rewritten in place with `\r`
 * (stage, layer i/n, bytes read). Only when stderr is a terminal and the user did not ask for
 * `--quiet`; a pipe or a CI log gets nothing but warnings and errors.
 */
import { formatSize } from '../core/cache/size.js';
import type { PipelineObserver } from '../core/pipeline/index.js';

/** The part of a stream the renderer needs (process.stderr, or a fake in tests). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressLine {
  /** Shows `text` as the line (throttled, unless `force`). */
  show(text: string, force?: boolean): void;
  /** Removes the line, so what is written next starts on a clean line. */
  clear(): void;
  /** Stops drawing for good (`--quiet`). */
  disable(): void;
}

/** Redraws at most this often: a terminal cannot show more, and each write costs. */
const MIN_REDRAW_MS = 100;

export function progressLine(stream: ProgressStream, now: () => number = Date.now): ProgressLine {
  let enabled = stream.isTTY === true;
  let shown = '';
  let drawnAt = -Infinity;
  const width = () => Math.max(20, (stream.columns ?? 80) - 1);
  return {
    show(text, force = false) {
      if (!enabled || text === shown) return;
      const at = now();
      if (!force && at - drawnAt < MIN_REDRAW_MS) return;
      // \x1b[K clears what a longer previous line left to the right.
      stream.write(`\r${text.slice(0, width())}\x1b[K`);
      shown = text;
      drawnAt = at;
    },
    clear() {
      if (!enabled || shown === '') return;
      stream.write('\r\x1b[K');
      shown = '';
      drawnAt = -Infinity;
    },
    disable() {
      this.clear();
      enabled = false;
    },
  };
}

/** Stage names as the line says them. */
const STAGE_TEXT: Record<string, string> = {
  open: 'opening',
  catalog: 'cataloging',
  match: 'matching',
  suppress: 'applying suppressions to',
  evaluate: 'evaluating',
};

/**
 * `base` (warnings) plus a progress line: stages, and per layer "layer i/n, <bytes>" (read
 * from the registry or archive and unpacked as it streams). A warning clears the line first,
 * so it never ends up glued to it.
 */
export function progressObserver(base: PipelineObserver, line: ProgressLine): PipelineObserver {
  let stage = '';
  return {
    stage(name, { source }) {
      stage = `${STAGE_TEXT[name] ?? name} ${source}`;
      line.show(stage, true);
    },
    layerStarted({ index, total }) {
      line.show(`${stage}: layer ${index + 1}/${total}`, true);
    },
    layerBytes({ index, total, bytes }) {
      line.show(`${stage}: layer ${index + 1}/${total}, ${formatSize(bytes)}`);
    },
    warning(message, detail) {
      line.clear();
      base.warning?.(message, detail);
    },
  };
}
