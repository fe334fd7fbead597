/**
 * `portcullis explain`: the evidence chain of one vulnerability id (or any of its aliases) in a
 * scan — for each affected package, what was compared against which advisory record and which
 * range, under which version scheme, and what the enrichment feeds say about it.
 */
import type { AffectedRange } from '../advisories/model.js';
import type { Finding } from '../matching/types.js';
import { originLabel } from './layers.js';
import type { ScanReport } from './types.js';

/** Findings about `id`, matching the primary id or any alias, case-insensitively. */
export function findingsFor(report: ScanReport, id: string): Finding[] {
  const wanted = id.toUpperCase();
  return report.findings.filter((f) => [f.id, ...f.aliases].some((x) => x.toUpperCase() === wanted));
}

export function describeRange(range: AffectedRange): string {
  const parts = range.events.map((e) => {
    if ('introduced' in e)
      return e.introduced === '0' ? 'introduced: from the start' : `introduced: ${e.introduced}`;
    if ('fixed' in e) return `fixed: ${e.fixed}`;
    if ('last_affected' in e) return `last_affected: ${e.last_affected}`;
    return `limit: ${e.limit}`;
  });
  return `${range.type} [${parts.join(', ')}]`;
}

function explainOne(f: Finding, report: ScanReport): string[] {
  const lines = [
    `${f.id}${f.aliases.length ? ` (aliases: ${f.aliases.join(', ')})` : ''}`,
    `  package:      ${f.package.name} ${f.package.version} (${f.package.type}) ${f.package.purl}`,
    ...(f.package.path ? [`  found at:     ${f.package.path}`] : []),
    `  origin:       ${originLabel(f, report.source.layers)}${f.originLayer ? ` (${f.originLayer})` : ''}`,
    `  fix state:    ${f.fixState}${f.fixedVersions.length ? `, fixed in ${f.fixedVersions.join(', ')}` : ''}`,
    `  severity:     ${f.severity}${f.urgency ? ` (distro urgency: ${f.urgency})` : ''}`,
  ];
  for (const s of f.severities) {
    const score = s.score === undefined ? '' : ` ${s.score}`;
    lines.push(
      `    - ${s.source}: ${s.scheme}${score}${s.label ? ` ${s.label}` : ''}${s.vector ? ` ${s.vector}` : ''}`,
    );
  }
  lines.push(
    `  KEV:          ${f.kev ? `yes, added ${f.kev.dateAdded}, due ${f.kev.dueDate}${f.kev.knownRansomware ? ', known ransomware use' : ''}` : 'no'}`,
    `  EPSS:         ${f.epss ? `${f.epss.score} (percentile ${f.epss.percentile})` : 'none'}`,
  );
  if (f.endOfLife)
    lines.push('  note:         the distro release is out of security support for this package');
  if (f.suppressed) lines.push(`  suppressed:   by ${f.suppressed.by}: ${f.suppressed.reason}`);
  lines.push('  evidence:');
  f.evidence.forEach((e, i) => {
    lines.push(
      `    ${i + 1}. advisory ${e.advisoryId} in namespace ${e.namespace}`,
      `       record:   driver ${e.source.driver}, file ${e.source.file}, record ${e.source.recordId}`,
      `       lookup:   ${e.strategy} "${e.lookupName}", compared version ${e.comparedVersion}`,
      `       scheme:   ${e.scheme}`,
      ...(e.matchedRange ? [`       range:    ${describeRange(e.matchedRange)}`] : []),
      ...(e.matchedVersion ? [`       listed:   version ${e.matchedVersion} is listed as affected`] : []),
    );
  });
  return lines;
}

/** The explanation text; empty findings give a sentence saying the id did not match. */
export function renderExplanation(report: ScanReport, id: string): string {
  const found = findingsFor(report, id);
  if (found.length === 0) {
    return `${id} does not affect ${report.source.input}: no package matched an advisory with this id or alias.\n`;
  }
  return found.map((f) => explainOne(f, report).join('\n')).join('\n\n') + '\n';
}
