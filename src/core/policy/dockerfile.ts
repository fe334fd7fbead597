/**
 * Minimal Dockerfile reading for the dockerfile gate: instructions with their raw argument
 * text, continuation lines joined, comments dropped. No variable expansion: the gate compares
 * what the author wrote, as Anchore did.
 */
import type { ImageConfigFacts } from './input.js';

export interface DockerInstruction {
  /** Upper-cased keyword, e.g. RUN. */
  instruction: string;
  /** Argument text after the keyword, trimmed. */
  value: string;
  /** 1-based line of the keyword. */
  line: number;
}

export const DOCKERFILE_INSTRUCTIONS = [
  'ADD',
  'ARG',
  'COPY',
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'USER',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'VOLUME',
  'WORKDIR',
] as const;

export function parseDockerfile(text: string): DockerInstruction[] {
  const out: DockerInstruction[] = [];
  const lines = text.split(/\r?\n/);
  let current: { parts: string[]; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (current === undefined && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (current !== undefined && trimmed.startsWith('#')) return;
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, '') : raw;
    if (current === undefined) current = { parts: [], line: index + 1 };
    current.parts.push(body.trim());
    if (continued) return;
    const joined = current.parts.join(' ').trim();
    const match = /^(\S+)\s*(.*)$/s.exec(joined);
    if (match?.[1]) {
      out.push({ instruction: match[1].toUpperCase(), value: (match[2] ?? '').trim(), line: current.line });
    }
    current = undefined;
  });
  return out;
}

/**
 * Rebuilds an approximate Dockerfile from image history, as Anchore did when none was supplied:
 * `#(nop)` entries become their instruction, other entries become RUN lines.
 */
export function dockerfileFromHistory(history: ImageConfigFacts['history']): string {
  return history
    .map((h) => {
      const nop = /^\/bin\/sh -c #\(nop\)\s*(.*)$/s.exec(h.createdBy);
      if (nop?.[1] !== undefined) return nop[1].trim();
      const buildkit = /^(\w+) (.*)$/s.exec(h.createdBy);
      if (
        buildkit?.[1] &&
        (DOCKERFILE_INSTRUCTIONS as readonly string[]).includes(buildkit[1].toUpperCase())
      ) {
        return h.createdBy.trim();
      }
      return `RUN ${h.createdBy.trim()}`;
    })
    .filter((line) => line !== '')
    .map((line) => line.replace(/\n/g, ' '))
    .join('\n');
}

/** Port numbers from EXPOSE arguments or config keys (`8080/tcp`, `53/udp`, `80`). */
export function portNumbers(values: readonly string[]): number[] {
  return values
    .flatMap((v) => v.split(/\s+/))
    .map((v) => /^(\d+)(?:\/\w+)?$/.exec(v.trim())?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
}
