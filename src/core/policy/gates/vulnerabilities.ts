/** The `vulnerabilities` gate: matches from the vulnerability matcher, plus feed health. */
import {
  daysBetween,
  OS_PACKAGE_TYPES,
  type GateDefinition,
  type TriggerContext,
  type TriggerFire,
} from '../gate.js';
import { SEVERITIES, type VulnerabilityFinding } from '../input.js';
import { COMPARISONS, compare, type ParamSpec } from '../params.js';
import { staleFeedDataTrigger, vulnerabilityDataUnavailableTrigger } from './vulnerability-data.js';

const comparison = (name: string, defaultOp: string, what: string): ParamSpec => ({
  name,
  description: `Comparison operator applied to ${what}.`,
  required: false,
  validator: { type: 'enum', values: COMPARISONS },
  example: defaultOp,
  default: defaultOp,
});

const score = (name: string, what: string): ParamSpec => ({
  name,
  description: `${what} to compare against (0.0 to 10.0); matches without this score do not fire.`,
  required: false,
  validator: { type: 'float', min: 0, max: 10 },
  example: '5.0',
});

type ScoreKey = 'base' | 'exploitability' | 'impact';
const CVSS_PARAMS: { prefix: string; source: 'nvd' | 'vendor'; key: ScoreKey; label: string }[] = [
  { prefix: 'cvss_v3_base_score', source: 'nvd', key: 'base', label: 'NVD CVSS v3 base score' },
  {
    prefix: 'cvss_v3_exploitability_score',
    source: 'nvd',
    key: 'exploitability',
    label: 'NVD CVSS v3 exploitability score',
  },
  { prefix: 'cvss_v3_impact_score', source: 'nvd', key: 'impact', label: 'NVD CVSS v3 impact score' },
  { prefix: 'vendor_cvss_v3_base_score', source: 'vendor', key: 'base', label: 'vendor CVSS v3 base score' },
  {
    prefix: 'vendor_cvss_v3_exploitability_score',
    source: 'vendor',
    key: 'exploitability',
    label: 'vendor CVSS v3 exploitability score',
  },
  {
    prefix: 'vendor_cvss_v3_impact_score',
    source: 'vendor',
    key: 'impact',
    label: 'vendor CVSS v3 impact score',
  },
];

const vendorOnly: ParamSpec = {
  name: 'vendor_only',
  description: "If true, matches the vendor marked as won't-fix are ignored.",
  required: false,
  validator: { type: 'boolean' },
  example: 'true',
  default: 'true',
};

const PACKAGE_PARAMS: ParamSpec[] = [
  {
    name: 'package_type',
    description: 'Only match vulnerabilities in this kind of package: os, non-os or all.',
    required: true,
    validator: { type: 'enum', values: ['all', 'os', 'non-os'] },
    example: 'all',
  },
  comparison('severity_comparison', '>', 'the severity'),
  {
    name: 'severity',
    description: 'Severity to compare against.',
    required: false,
    validator: { type: 'enum', values: SEVERITIES.map((s) => s.toLowerCase()) },
    example: 'high',
  },
  ...CVSS_PARAMS.flatMap((p) => [
    comparison(`${p.prefix}_comparison`, '>=', `the ${p.label}`),
    score(p.prefix, p.label),
  ]),
  {
    name: 'fix_available',
    description: 'If set, fire only when fix availability equals this value.',
    required: false,
    validator: { type: 'boolean' },
    example: 'true',
  },
  vendorOnly,
  {
    name: 'max_days_since_creation',
    description: 'Fire only when the vulnerability was published more than this many days ago.',
    required: false,
    validator: { type: 'integer', min: 0 },
    example: '7',
  },
  {
    name: 'max_days_since_fix',
    description:
      'With fix_available=true, fire only when the fix was published more than this many days ago.',
    required: false,
    validator: { type: 'integer', min: 0 },
    example: '30',
  },
  {
    name: 'package_path_exclude',
    description: 'Regex on the path of non-OS packages; matching packages are skipped.',
    required: false,
    validator: { type: 'regex' },
    example: '.*test\\.jar',
  },
  {
    name: 'kev',
    description: "If true, fire only for vulnerabilities in CISA's Known Exploited Vulnerabilities catalog.",
    required: false,
    validator: { type: 'boolean' },
    example: 'true',
    extension: true,
  },
  { ...comparison('epss_percentile_comparison', '>=', 'the EPSS percentile'), extension: true },
  {
    name: 'epss_percentile',
    description: 'EPSS percentile (0.0 to 1.0) to compare against; matches without EPSS data do not fire.',
    required: false,
    validator: { type: 'float', min: 0, max: 1 },
    example: '0.9',
    extension: true,
  },
  {
    name: 'origin',
    description:
      'Only match packages from the base image layers (base), the application layers (app), or any.',
    required: false,
    validator: { type: 'enum', values: ['base', 'app', 'any'] },
    example: 'app',
    default: 'any',
    extension: true,
  },
  {
    name: 'min_confidence',
    description: 'Ignore matches whose matcher confidence (0.0 to 1.0) is below this value.',
    required: false,
    validator: { type: 'float', min: 0, max: 1 },
    example: '0.8',
    extension: true,
  },
];

const SEVERITY_RANK = new Map<string, number>(SEVERITIES.map((s, i) => [s.toLowerCase(), i]));
const severityRank = (label: string): number => SEVERITY_RANK.get(label.toLowerCase()) ?? 0;

const hasFix = (f: VulnerabilityFinding): boolean => f.fixedVersions.length > 0 || f.fixState === 'fixed';

/** Resolves the rule's parameters once, returning a per-finding predicate (hot loop). */
function findingFilter(ctx: TriggerContext): (f: VulnerabilityFinding) => boolean {
  const p = ctx.params;
  const now = ctx.input.now;
  const type = p.str('package_type') ?? 'all';
  const vendorOnly = p.bool('vendor_only') !== false;
  const severity = p.str('severity');
  const severityOp = p.str('severity_comparison') ?? '>';
  const severityLimit = severity === undefined ? undefined : severityRank(severity);
  const cvss = CVSS_PARAMS.flatMap((c) => {
    const threshold = p.num(c.prefix);
    return threshold === undefined ? [] : [{ ...c, threshold, op: p.str(`${c.prefix}_comparison`) ?? '>=' }];
  });
  const fix = p.bool('fix_available');
  const maxCreation = p.num('max_days_since_creation');
  const maxFix = fix === true ? p.num('max_days_since_fix') : undefined;
  const exclude = p.regex('package_path_exclude');
  const kevOnly = p.bool('kev') === true;
  const epss = p.num('epss_percentile');
  const epssOp = p.str('epss_percentile_comparison') ?? '>=';
  const origin = p.str('origin') ?? 'any';
  const minConfidence = p.num('min_confidence');
  return (f) => {
    const isOs = OS_PACKAGE_TYPES.has(f.package.type);
    if ((type === 'os' && !isOs) || (type === 'non-os' && isOs)) return false;
    if (vendorOnly && f.fixState === 'wont-fix') return false;
    if (severityLimit !== undefined && !compare(severityOp, severityRank(f.severity), severityLimit))
      return false;
    for (const c of cvss) {
      const actual = f.cvssV3[c.source]?.[c.key];
      if (actual === undefined || !compare(c.op, actual, c.threshold)) return false;
    }
    if (fix !== undefined && hasFix(f) !== fix) return false;
    if (maxCreation !== undefined && (!f.publishedAt || daysBetween(f.publishedAt, now) <= maxCreation))
      return false;
    if (maxFix !== undefined && (!f.fixPublishedAt || daysBetween(f.fixPublishedAt, now) <= maxFix))
      return false;
    if (exclude && !isOs && f.package.path !== undefined && exclude.matchStart(f.package.path)) return false;
    if (kevOnly && !f.kev) return false;
    if (epss !== undefined && (!f.epss || !compare(epssOp, f.epss.percentile, epss))) return false;
    if (origin !== 'any' && f.origin !== origin) return false;
    if (minConfidence !== undefined && f.confidence < minConfidence) return false;
    return true;
  };
}

function fireFor(f: VulnerabilityFinding, message: string): TriggerFire {
  return {
    triggerId: `${f.id}+${f.package.name}`,
    message,
    package: {
      name: f.package.name,
      version: f.package.version,
      ...(f.package.path ? { path: f.package.path } : {}),
    },
  };
}

function describeFinding(f: VulnerabilityFinding): string {
  const kind = OS_PACKAGE_TYPES.has(f.package.type) ? 'os' : 'non-os';
  const fix = f.fixedVersions.length > 0 ? `fixed in: ${f.fixedVersions.join(', ')}` : 'no fix available';
  return `${f.severity.toUpperCase()} Vulnerability found in ${kind} package type (${f.package.type}) - ${f.package.name}-${f.package.version} (${fix}) - ${f.id}`;
}

export const vulnerabilitiesGate: GateDefinition = {
  name: 'vulnerabilities',
  description: "Checks for vulnerabilities in the image's packages, and the freshness of vulnerability data.",
  state: 'active',
  readsVulnerabilityData: true,
  // Findings and feed health; `vulnerability_data_unavailable` counts packages by kind only.
  reads: ['findings', 'feeds', 'vulnerabilityData', 'distro', 'packageKinds'],
  triggers: [
    {
      name: 'package',
      description: 'Fires for each vulnerability match that satisfies every given parameter.',
      state: 'active',
      params: PACKAGE_PARAMS,
      evaluate: (ctx) =>
        ctx.input.findings.filter(findingFilter(ctx)).map((f) => fireFor(f, describeFinding(f))),
    },
    staleFeedDataTrigger,
    vulnerabilityDataUnavailableTrigger,
    {
      name: 'blacklist',
      description: 'Fires for each match of a listed vulnerability id (or alias).',
      state: 'active',
      params: [
        {
          name: 'vulnerability_ids',
          description: 'Comma-separated vulnerability ids.',
          required: true,
          validator: { type: 'string-list' },
          example: 'CVE-2019-1234,GHSA-xxxx-yyyy-zzzz',
        },
        vendorOnly,
      ],
      evaluate: (ctx) => {
        const ids = new Set(ctx.params.strings('vulnerability_ids') ?? []);
        const vendor = ctx.params.bool('vendor_only') !== false;
        return ctx.input.findings
          .filter((f) => !(vendor && f.fixState === 'wont-fix'))
          .filter((f) => ids.has(f.id) || f.aliases.some((a) => ids.has(a)))
          .map((f) =>
            fireFor(
              f,
              `Blacklisted vulnerability ${f.id} found in package ${f.package.name}-${f.package.version}`,
            ),
          );
      },
    },
  ],
};
