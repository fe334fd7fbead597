/** The terminal table: one row per unsuppressed finding, then the suppressed ones with their reason. */
import type { Finding } from '../matching/types.js';
import { columnLines as columns } from './columns.js';
import { originLabel } from './layers.js';
import { dataNotice } from './data-notice.js';
import type { RenderInput } from './types.js';

function epssCell(f: Finding): string {
  return f.epss ? `${(f.epss.score * 100).toFixed(2)}%` : '-';
}

export function renderTable({ report }: RenderInput): string {
  const findings = report.findings;
  const active = findings.filter((f) => !f.suppressed);
  const suppressed = findings.filter((f) => f.suppressed);
  const out: string[] = [];
  const notice = dataNotice(report);
  if (notice) out.push(`Warning: ${notice}.`, '');
  if (active.length === 0) {
    out.push(
      report.database.distroGap
        ? 'No vulnerabilities found in what could be checked (the OS packages were not).'
        : 'No vulnerabilities found.',
    );
  } else {
    // The same package found at several paths (node_modules and a lockfile) gives identical
    // rows; one row with a count reads better, the JSON and explain keep every location.
    const rows = new Map<string, { cells: string[]; count: number }>();
    for (const f of active) {
      const cells = [
        f.severity,
        f.id,
        f.package.name,
        f.package.version,
        f.fixedVersions.join(', ') || '-',
        f.fixState,
        epssCell(f),
        f.kev ? 'yes' : '-',
        originLabel(f, report.source.layers),
      ];
      const key = cells.join('\u0000');
      const row = rows.get(key);
      if (row) row.count++;
      else rows.set(key, { cells, count: 1 });
    }
    out.push(
      ...columns(
        ['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED-IN', 'FIX STATE', 'EPSS', 'KEV', 'ORIGIN'],
        [...rows.values()].map(({ cells, count }) =>
          count === 1 ? cells : cells.map((c, i) => (i === 2 ? `${c} (${count} paths)` : c)),
        ),
      ),
    );
  }
  if (suppressed.length) {
    out.push('', `Suppressed (${suppressed.length}):`);
    out.push(
      ...columns(
        ['ID', 'PACKAGE', 'INSTALLED', 'BY', 'REASON'],
        suppressed.map((f) => [
          f.id,
          f.package.name,
          f.package.version,
          f.suppressed?.by ?? '',
          f.suppressed?.reason ?? '',
        ]),
      ),
    );
  }
  const counts = new Map<string, number>();
  for (const f of active) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = [...counts.entries()].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(', ');
  out.push(
    '',
    `${active.length} finding(s)${summary ? `: ${summary}` : ''}; ${suppressed.length} suppressed.`,
  );
  return out.join('\n') + '\n';
}
