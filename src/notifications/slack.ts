/**
 * A Slack incoming-webhook message for one notification: a header, the image and tag, what
 * changed, the worst new severity and a link back to the image in the API. Block Kit keeps
 * it readable; `text` is the fallback Slack shows in notifications.
 */
import { worstSeverity, type FindingsDiff, type VulnerabilityRow } from './diff.js';
import type { NotificationType } from './types.js';

const MAX_LISTED = 10;

const TITLES: Record<NotificationType, string> = {
  tag_update: 'Tag now points at a new image',
  analysis_update: 'Image analysis status changed',
  vuln_update: 'Vulnerabilities changed',
  policy_eval: 'Policy result changed',
  event_log: 'Event',
};

function listRows(label: string, rows: readonly VulnerabilityRow[]): string | undefined {
  if (!rows.length) return undefined;
  const shown = rows
    .slice(0, MAX_LISTED)
    .map((r) => `• \`${r.vulnerability_id}\` ${r.severity} in ${r.package} (fix: ${r.fix})`);
  const more = rows.length > MAX_LISTED ? [`…and ${rows.length - MAX_LISTED} more`] : [];
  return [`*${label} (${rows.length})*`, ...shown, ...more].join('\n');
}

function changes(type: NotificationType, payload: Record<string, unknown>): string[] {
  const curr = payload.curr_eval as Record<string, unknown> | string[] | undefined;
  const last = payload.last_eval as Record<string, unknown> | string[] | undefined;
  switch (type) {
    case 'tag_update':
      return [
        `Digest: ${String((last as string[])[0] ?? 'none')} → ${String((curr as string[])[0] ?? 'none')}`,
      ];
    case 'analysis_update':
      return [
        `Analysis: ${String((last as Record<string, unknown>).analysis_status ?? 'none')} → ${String((curr as Record<string, unknown>).analysis_status)}`,
      ];
    case 'policy_eval':
      return [
        `Policy: ${String((last as Record<string, unknown>).status ?? 'none')} → *${String((curr as Record<string, unknown>).status)}*`,
      ];
    case 'vuln_update': {
      const diff = payload.diff_vulnerability_result as FindingsDiff;
      return [
        listRows('Added', diff.added),
        listRows('Updated', diff.updated),
        listRows('Removed', diff.removed),
      ].filter((s): s is string => s !== undefined);
    }
    case 'event_log': {
      const event = payload.event as { type?: unknown; level?: unknown; message?: unknown };
      return [`*${String(event.level)}* \`${String(event.type)}\`: ${String(event.message)}`];
    }
  }
}

function digestOf(type: NotificationType, payload: Record<string, unknown>): string | undefined {
  if (type === 'vuln_update') return payload.imageDigest as string;
  if (type === 'tag_update') return (payload.curr_eval as string[])[0];
  if (type === 'event_log') return undefined;
  return (payload.curr_eval as { image_digest?: string }).image_digest;
}

export function slackMessage(
  type: NotificationType,
  payload: Record<string, unknown>,
  linkBase: string | undefined,
): Record<string, unknown> {
  const tag = String(payload.subscription_key);
  const digest = digestOf(type, payload);
  const lines = changes(type, payload);
  const worst =
    type === 'vuln_update'
      ? worstSeverity([
          ...(payload.diff_vulnerability_result as FindingsDiff).added,
          ...(payload.diff_vulnerability_result as FindingsDiff).updated,
        ])
      : undefined;
  const fields = [
    { type: 'mrkdwn', text: `*Tag*\n${tag}` },
    { type: 'mrkdwn', text: `*Image*\n\`${digest ?? 'unknown'}\`` },
    ...(worst ? [{ type: 'mrkdwn', text: `*Worst new severity*\n${worst}` }] : []),
  ];
  const link = linkBase && digest ? `${linkBase.replace(/\/$/, '')}/v1/images/${digest}` : undefined;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: `${TITLES[type]}: ${tag}`.slice(0, 150) } },
    { type: 'section', fields },
    ...lines.map((text) => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } })),
    ...(link
      ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${link}|Open in Portcullis>` }] }]
      : []),
  ];
  return { text: `${TITLES[type]}: ${tag}${worst ? ` (worst: ${worst})` : ''}`, blocks };
}
