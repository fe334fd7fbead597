/**
 * Reconstructs a Dockerfile from an image's history, for the dockerfile policy gate when no
 * Dockerfile was supplied. Two `created_by` dialects exist: the classic builder's
 * `/bin/sh -c #(nop) CMD ["x"]` (metadata) and `/bin/sh -c apt-get …` (RUN), and BuildKit's
 * `RUN /bin/sh -c apt-get … # buildkit`, `CMD ["x"]`, `COPY . . # buildkit`.
 */
import type { HistoryEntry } from './types.js';

export interface DockerfileLine {
  instruction: string;
  arguments: string;
  /** Index into the config's history. */
  historyIndex: number;
}

const INSTRUCTIONS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);

const SHELL_PREFIX = /^\/bin\/(?:ba)?sh -c /;

/** Turns one history entry's `created_by` into an instruction, or undefined when empty. */
export function instructionFromHistory(
  createdBy: string,
): { instruction: string; arguments: string } | undefined {
  let text = createdBy.trim().replace(/\s+# buildkit$/, '');
  if (text === '') return undefined;
  if (SHELL_PREFIX.test(text)) {
    text = text.replace(SHELL_PREFIX, '');
    const nop = /^#\(nop\)\s*/.exec(text);
    if (!nop) return { instruction: 'RUN', arguments: text };
    text = text.slice(nop[0].length).trim();
  }
  // BuildKit writes `|2 A=1 B=2 /bin/sh -c …` for RUN with build args.
  const withArgs = /^\|\d+\s+(?:\S+=\S*\s+)*\/bin\/(?:ba)?sh -c (.*)$/s.exec(text);
  if (withArgs) return { instruction: 'RUN', arguments: withArgs[1] as string };
  const word = /^([A-Za-z]+)\b\s*(.*)$/s.exec(text);
  if (word && INSTRUCTIONS.has((word[1] as string).toUpperCase())) {
    const instruction = (word[1] as string).toUpperCase();
    let args = (word[2] as string).trim();
    if (instruction === 'RUN') args = args.replace(SHELL_PREFIX, '');
    // The classic builder records `COPY file:<hash> in /dst`; keep it readable.
    if (instruction === 'COPY' || instruction === 'ADD')
      args = args.replace(/^(?:file|dir|multi):[a-f0-9]+ in /, '<context> ');
    return { instruction, arguments: args };
  }
  // Tools such as umoci or kaniko write free text; it records a layer but no instruction.
  return { instruction: 'RUN', arguments: text };
}

export function reconstructDockerfile(history: readonly HistoryEntry[]): DockerfileLine[] {
  const lines: DockerfileLine[] = [];
  history.forEach((entry, historyIndex) => {
    const parsed = entry.created_by ? instructionFromHistory(entry.created_by) : undefined;
    if (parsed) lines.push({ ...parsed, historyIndex });
  });
  return lines;
}

export function renderDockerfile(lines: readonly DockerfileLine[]): string {
  return (
    lines.map((l) => `${l.instruction} ${l.arguments}`.trimEnd()).join('\n') + (lines.length ? '\n' : '')
  );
}
