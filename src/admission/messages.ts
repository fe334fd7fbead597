/**
 * Texts users read: the denial message kubectl prints after "admission webhook ... denied the
 * request:", and AdmissionReview warnings (kubectl shows each as "Warning: ..."; Kubernetes
 * advises ≤ 120 characters each and drops warnings past 4096 characters in total).
 */
import { displayImage, type ImageUse } from './parse.js';
import type { VerdictReason } from './ports.js';

const MAX_WARNING_CHARS = 120;
const MAX_WARNINGS_TOTAL = 4000;
const MAX_MESSAGE_CHARS = 8000;
const MAX_REASONS_PER_IMAGE = 10;

/** "vulnerabilities/package: CVE-2023-4863 critical in libwebp7 (STOP): <trigger message>" */
export function formatVerdictReason(reason: VerdictReason): string {
  const facts = [reason.vulnerability, reason.severity?.toLowerCase()].filter(
    (f) => f !== undefined && f !== '',
  );
  const where = reason.package ? ` in ${reason.package}` : '';
  const head = facts.length > 0 ? `${facts.join(' ')}${where} ` : where ? `${where.trim()} ` : '';
  return `${reason.gate}/${reason.trigger}: ${head}(${reason.action}) ${reason.message}`
    .replace(/\s+/g, ' ')
    .trim();
}

export function describeImage(use: ImageUse, digest: string | undefined): string {
  const shown = use.normalized ?? displayImage(use.image);
  const pinned = digest !== undefined && !shown.includes('@') ? ` (${digest})` : '';
  return `container "${displayImage(use.container)}" (${use.list}) image "${shown}"${pinned}`;
}

export interface FailingImage {
  use: ImageUse;
  digest: string | undefined;
  reasons: string[];
}

/** One line per failing image with its reasons, bounded in size. */
export function denialMessage(failures: readonly FailingImage[]): string {
  const parts = failures.map((f) => {
    const shown = f.reasons.slice(0, MAX_REASONS_PER_IMAGE);
    const more = f.reasons.length > shown.length ? `; and ${f.reasons.length - shown.length} more` : '';
    return `${describeImage(f.use, f.digest)}: ${shown.join('; ')}${more}`;
  });
  const noun = failures.length === 1 ? 'image' : 'images';
  const message = `Portcullis refused ${failures.length} ${noun}: ${parts.join(' | ')}`;
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
}

function clip(text: string): string {
  return text.length > MAX_WARNING_CHARS ? `${text.slice(0, MAX_WARNING_CHARS - 1)}…` : text;
}

/** Short warnings: "<container>: <image> <why>", each ≤ 120 characters, ≤ ~4000 in total. */
export function warningLines(
  items: ReadonlyArray<{ use: ImageUse; why: string }>,
  extra: readonly string[] = [],
): string[] {
  const lines: string[] = [];
  let total = 0;
  const candidates = [
    ...items.map((i) =>
      clip(`${displayImage(i.use.container)}: ${i.use.normalized ?? displayImage(i.use.image)} ${i.why}`),
    ),
    ...extra.map(clip),
  ];
  for (const line of candidates) {
    if (total + line.length > MAX_WARNINGS_TOTAL) break;
    lines.push(line);
    total += line.length;
  }
  return lines;
}
