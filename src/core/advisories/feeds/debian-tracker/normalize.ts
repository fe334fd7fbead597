/** One tracker (package, id, release) → a normalized advisory. Pure. */
import type { Advisory, DistroFlags, FixState, Severity } from '../../model.js';
import type { TrackerRelease } from './schema.js';

/** Urgencies that are Debian's own severity judgement (the others are states, not severities). */
const SEVERITY_URGENCIES = new Set(['unimportant', 'low', 'medium', 'high']);

export interface TrackerContext {
  packageName: string;
  id: string;
  namespace: string;
  codename: string;
  description?: string;
  file: string;
}

function fixStateOf(release: TrackerRelease, urgency: string | undefined): FixState {
  if (release.status === 'undetermined') return 'unknown';
  if (release.status === 'resolved') return 'fixed';
  // Open issues Debian decided not to fix in this release (minor, or support ended).
  if (release.nodsa !== undefined || urgency === 'unimportant' || urgency === 'end-of-life')
    return 'wont-fix';
  return 'not-fixed';
}

export function normalizeTrackerRelease(ctx: TrackerContext, release: TrackerRelease): Advisory {
  const rawUrgency = release.urgency?.trim();
  const urgency = rawUrgency?.replace(/\*+$/, '');
  const flags: DistroFlags = {};
  if (rawUrgency && rawUrgency !== urgency) flags.urgencyFromNvd = true;
  if (urgency === 'end-of-life') flags.endOfLife = true;
  if (release.nodsa !== undefined) flags.nodsa = release.nodsa;
  if (release.nodsa_reason !== undefined) flags.nodsaReason = release.nodsa_reason;
  const fixed = release.status === 'resolved' ? release.fixed_version : undefined;
  // fixed_version "0" is the tracker's "this release never shipped a vulnerable version".
  const notAffected = fixed === '0';
  const severities: Severity[] =
    urgency && SEVERITY_URGENCIES.has(urgency)
      ? [{ source: 'debian', scheme: 'label', label: urgency.toUpperCase() }]
      : [];
  const advisory: Advisory = {
    id: ctx.id,
    aliases: [],
    namespace: ctx.namespace,
    packageName: ctx.packageName,
    versionScheme: 'deb',
    ranges: notAffected
      ? []
      : [{ type: 'ECOSYSTEM', events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }],
    versions: [],
    fixedVersions: fixed && !notAffected ? [fixed] : [],
    fixState: fixStateOf(release, urgency),
    severities,
    references: [`https://security-tracker.debian.org/tracker/${ctx.id}`],
    source: {
      driver: 'debian-tracker',
      file: ctx.file,
      recordId: `${ctx.packageName}/${ctx.id}/${ctx.codename}`,
    },
  };
  if (notAffected) advisory.notAffected = true;
  if (urgency) advisory.urgency = urgency;
  if (Object.keys(flags).length > 0) advisory.flags = flags;
  if (ctx.description) advisory.summary = ctx.description;
  return advisory;
}
