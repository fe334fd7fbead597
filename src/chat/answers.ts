/**
 * The answers to chat commands, as text in Slack's mrkdwn (readable as plain text too) plus the
 * structured data a generic webhook client reads. Pure over the query port.
 */
import { SEVERITY_ORDER } from '../core/matching/types.js';
import { CHAT_USAGE, type ChatCommand } from './command.js';
import type { ChatQueries, ImageVerdict } from './ports.js';

export interface ChatAnswer {
  text: string;
  data?: unknown;
}

/** At most this many images in one answer; the text says how many more there are. */
export const MAX_LISTED = 20;

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Keeps user-supplied text from forming Slack links, mentions or formatting. */
export function plain(text: string): string {
  return text
    .replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c)
    .replace(/[`*_~]/g, '');
}

function more(total: number, listed: number): string {
  return total > listed ? `\n…and ${total - listed} more` : '';
}

export function verdictText(v: ImageVerdict): string {
  const head = `\`${plain(v.reference)}\` (${short(v.digest)})`;
  if (v.status === 'analysis_failed')
    return `${head}: analysis failed${v.error ? `: ${plain(v.error)}` : ''}`;
  if (v.status !== 'analyzed') return `${head}: ${v.status.replace('_', ' ')}`;
  const verdict = v.verdict
    ? `*${v.verdict.status.toUpperCase()}* (${v.verdict.finalAction}, bundle ${plain(v.verdict.bundle)})`
    : 'no active policy bundle';
  const counts = (v.counts?.bySeverity ?? [])
    .filter((c) => c.total > 0)
    .map((c) => `${c.severity} ${c.total}`)
    .join(', ');
  return `${head}: ${verdict}\nFindings: ${v.counts?.total ?? 0} (${v.counts?.fixable ?? 0} fixable)${counts ? `: ${counts}` : ''}`;
}

const rank = (s: string) => SEVERITY_ORDER.indexOf(s as never);

export async function answerCommand(
  command: ChatCommand,
  account: string,
  queries: ChatQueries,
): Promise<ChatAnswer> {
  switch (command.kind) {
    case 'help':
      return { text: CHAT_USAGE };
    case 'invalid':
      return { text: command.message };
    case 'vuln': {
      const { total, images } = await queries.imagesByVulnerability(account, command.id);
      if (total === 0)
        return { text: `No image is affected by ${plain(command.id)}.`, data: { total, images } };
      const sorted = [...images].sort(
        (a, b) => rank(b.worst) - rank(a.worst) || a.reference.localeCompare(b.reference),
      );
      const lines = sorted.slice(0, MAX_LISTED).map((i) => {
        const pkgs = i.packages
          .map((p) => `${plain(p.name)} ${plain(p.version)}${p.fix ? ` → ${plain(p.fix)}` : ''}`)
          .join(', ');
        return `• ${i.worst} \`${plain(i.reference)}\` (${short(i.digest)}): ${pkgs}`;
      });
      return {
        text: `*${plain(command.id)}* affects ${total} image${total === 1 ? '' : 's'}, worst first:\n${lines.join('\n')}${more(total, lines.length)}`,
        data: { total, images: sorted },
      };
    }
    case 'package': {
      const { total, images } = await queries.imagesByPackage(account, command.name, command.version);
      const what = `${plain(command.name)}${command.version ? ` ${plain(command.version)}` : ''}`;
      if (total === 0) return { text: `No image holds ${what}.`, data: { total, images } };
      const lines = images.slice(0, MAX_LISTED).map((i) => {
        const versions = [...new Set(i.packages.map((p) => `${plain(p.version)} (${p.type})`))].join(', ');
        return `• \`${plain(i.reference)}\` (${short(i.digest)}): ${versions}`;
      });
      return {
        text: `${total} image${total === 1 ? '' : 's'} hold ${what}:\n${lines.join('\n')}${more(total, lines.length)}`,
        data: { total, images },
      };
    }
    case 'image': {
      const verdict = await queries.imageVerdict(account, command.reference);
      if (!verdict)
        return { text: `No image \`${plain(command.reference)}\` in this account. Try \`scan\`.` };
      return { text: verdictText(verdict), data: verdict };
    }
    case 'scan':
      throw new Error('scan answers in two steps: use startScan');
  }
}
