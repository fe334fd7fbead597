/**
 * SARIF 2.1.0: one rule per vulnerability id, one result per finding, located at the file that
 * proved the package. Suppressed findings stay in the log with an external suppression, which is
 * how code-scanning UIs show "dismissed with a reason". Validated against the SARIF 2.1.0 schema.
 */
import type { Finding, NormalizedSeverity } from '../matching/types.js';
import { advisoryUrl } from './advisory-links.js';
import { atOrAbove } from './severity-gate.js';
import type { RenderInput } from './types.js';
import { dataNotice } from './data-notice.js';

type Level = 'error' | 'warning' | 'note';

const LEVEL: Record<NormalizedSeverity, Level> = {
  Critical: 'error',
  High: 'error',
  Medium: 'warning',
  Low: 'note',
  Negligible: 'note',
  Unknown: 'note',
};

function levelOf(f: Finding, failOn: NormalizedSeverity | undefined): Level {
  // With a threshold, "error" means exactly "fails the gate", so the log and the exit code agree.
  if (failOn)
    return atOrAbove(f, failOn) ? 'error' : LEVEL[f.severity] === 'error' ? 'warning' : LEVEL[f.severity];
  return LEVEL[f.severity];
}

/** GitHub code scanning ranks rules by a numeric `security-severity` (the highest CVSS base score). */
function securitySeverity(f: Finding): string | undefined {
  const best = Math.max(...f.cvss.map((c) => c.baseScore));
  return Number.isFinite(best) ? best.toFixed(1) : undefined;
}

function ruleOf(f: Finding): Record<string, unknown> {
  const score = securitySeverity(f);
  return {
    id: f.id,
    shortDescription: { text: f.summary ?? f.id },
    helpUri: advisoryUrl(f.id),
    help: {
      text: [f.summary ?? f.id, ...(f.aliases.length ? [`Aliases: ${f.aliases.join(', ')}`] : [])].join('\n'),
    },
    properties: {
      tags: ['security', 'vulnerability'],
      ...(score ? { 'security-severity': score } : {}),
      aliases: f.aliases,
    },
  };
}

function artifactUri(path: string): string {
  return encodeURI(path.replace(/^\/+/, ''));
}

export function renderSarif({ report }: RenderInput): string {
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  for (const f of report.findings) {
    if (ruleIndex.has(f.id)) continue;
    ruleIndex.set(f.id, rules.length);
    rules.push(ruleOf(f));
  }
  const results = report.findings.map((f) => {
    const fixed = f.fixedVersions.length ? `; fixed in ${f.fixedVersions.join(', ')}` : '; no fix available';
    return {
      ruleId: f.id,
      ruleIndex: ruleIndex.get(f.id),
      level: levelOf(f, report.failOn),
      message: {
        text: `${f.severity} ${f.id} in ${f.package.name}@${f.package.version} (${f.package.type})${fixed}`,
      },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: artifactUri(f.package.path ?? report.source.input) } },
          logicalLocations: [{ name: f.package.purl, kind: 'package' }],
        },
      ],
      partialFingerprints: { 'portcullis/finding': `${f.id}|${f.package.purl}|${f.package.path ?? ''}` },
      ...(f.suppressed
        ? {
            suppressions: [{ kind: 'external', justification: `${f.suppressed.by}: ${f.suppressed.reason}` }],
          }
        : {}),
      properties: {
        severity: f.severity,
        fixState: f.fixState,
        fixedVersions: f.fixedVersions,
        origin: f.origin,
        ...(f.originLayer ? { originLayer: f.originLayer } : {}),
        ...(f.kev ? { kev: true } : {}),
        ...(f.epss ? { epss: f.epss.score } : {}),
      },
    };
  });
  const notice = dataNotice(report);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.descriptor.name,
            version: report.descriptor.version,
            informationUri: 'https://github.com/portcullis-project/portcullis',
            rules,
          },
        },
        automationDetails: { id: `portcullis/scan/${report.source.digest ?? report.source.input}` },
        ...(notice
          ? {
              invocations: [
                {
                  executionSuccessful: true,
                  toolExecutionNotifications: [{ level: 'warning', message: { text: notice } }],
                },
              ],
            }
          : {}),
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
