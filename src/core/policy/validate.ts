/**
 * Bundle validation: structure (zod, element by element) and meaning (gates, triggers,
 * parameters, references, duplicates), all problems collected in one pass. Only a bundle with
 * no errors becomes a ValidatedBundle.
 */
import { PortcullisError } from '../errors.js';
import {
  ImageRuleSchema,
  MappingSchema,
  PolicySchema,
  TopSchema,
  WhitelistItemSchema,
  WhitelistSchema,
  type CompiledMapping,
  type CompiledPolicy,
  type CompiledRule,
  type CompiledWhitelist,
  type ImageRule,
  type ValidatedBundle,
} from './bundle.js';
import { Collector, type BundleIssue } from './collector.js';
import { compileRule } from './compile-rule.js';
import { findEolGate, findGate } from './registry.js';

export type { BundleIssue } from './collector.js';

export type ValidationResult =
  | { ok: true; bundle: ValidatedBundle; warnings: BundleIssue[] }
  | { ok: false; errors: BundleIssue[]; warnings: BundleIssue[] };

export const SUPPORTED_VERSION = '1_0';
/** Largest bundle text accepted: real bundles are tens of kilobytes. */
export const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;

function compilePolicies(raw: unknown[], c: Collector): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  const ids: (string | undefined)[] = [];
  raw.forEach((item, i) => {
    const policy = c.parse(PolicySchema, item, ['policies', i]);
    ids.push(policy?.id);
    if (!policy) return;
    if (policy.version !== undefined && policy.version !== SUPPORTED_VERSION) {
      c.error(
        ['policies', i, 'version'],
        `unsupported policy version "${policy.version}" (expected "${SUPPORTED_VERSION}")`,
      );
    }
    const rules = policy.rules.map((r, j) => compileRule(r, ['policies', i, 'rules', j], c));
    c.unique(
      policy.rules.map((r) =>
        typeof r === 'object' && r !== null && 'id' in r && typeof r.id === 'string' ? r.id : undefined,
      ),
      ['policies', i, 'rules'],
      'rule',
    );
    out.push({
      id: policy.id,
      ...(policy.name ? { name: policy.name } : {}),
      rules: rules.filter((r): r is CompiledRule => r !== undefined),
    });
  });
  c.unique(ids, ['policies'], 'policy');
  return out;
}

function compileWhitelists(raw: unknown[], c: Collector): CompiledWhitelist[] {
  const out: CompiledWhitelist[] = [];
  const ids: (string | undefined)[] = [];
  raw.forEach((item, i) => {
    const wl = c.parse(WhitelistSchema, item, ['whitelists', i]);
    ids.push(wl?.id);
    if (!wl) return;
    const itemIds: (string | undefined)[] = [];
    const items = wl.items.flatMap((rawItem, j) => {
      const path = ['whitelists', i, 'items', j];
      const it = c.parse(WhitelistItemSchema, rawItem, path);
      itemIds.push(it?.id);
      if (!it) return [];
      if (!findGate(it.gate)) {
        const eol = findEolGate(it.gate);
        c.error(
          [...path, 'gate'],
          eol
            ? `gate "${it.gate}" is end-of-life; use the "${eol.replacement}" gate instead`
            : `unknown gate "${it.gate}"`,
        );
      }
      let expiresOn: Date | undefined;
      if (it.expires_on !== undefined) {
        expiresOn = new Date(it.expires_on);
        if (!/^\d{4}-\d{2}-\d{2}T/.test(it.expires_on) || Number.isNaN(expiresOn.getTime())) {
          c.error(
            [...path, 'expires_on'],
            `"${it.expires_on}" is not an RFC 3339 date-time (e.g. 2025-12-31T00:00:00Z)`,
          );
        }
      }
      return [
        {
          id: it.id,
          gate: it.gate.toLowerCase(),
          triggerId: it.trigger_id,
          ...(expiresOn ? { expiresOn } : {}),
          ...(it.package_version !== undefined ? { packageVersion: it.package_version } : {}),
          ...(it.package_path !== undefined ? { packagePath: it.package_path } : {}),
        },
      ];
    });
    c.unique(itemIds, ['whitelists', i, 'items'], 'whitelist item');
    out.push({ id: wl.id, ...(wl.name ? { name: wl.name } : {}), items });
  });
  c.unique(ids, ['whitelists'], 'whitelist');
  return out;
}

function compileMappings(
  raw: unknown[],
  policyIds: Set<string>,
  whitelistIds: Set<string>,
  c: Collector,
): CompiledMapping[] {
  const out: CompiledMapping[] = [];
  raw.forEach((item, i) => {
    const m = c.parse(MappingSchema, item, ['mappings', i]);
    if (!m) return;
    const refs = m.policy_ids ?? (m.policy_id !== undefined ? [m.policy_id] : []);
    const refField = m.policy_ids ? 'policy_ids' : 'policy_id';
    if (refs.length === 0) c.error(['mappings', i], 'mapping names no policy (set policy_ids or policy_id)');
    refs.forEach((id, k) => {
      if (!policyIds.has(id))
        c.error(
          m.policy_ids ? ['mappings', i, refField, k] : ['mappings', i, refField],
          `policy "${id}" is not defined in this bundle`,
        );
    });
    (m.whitelist_ids ?? []).forEach((id, k) => {
      if (!whitelistIds.has(id))
        c.error(['mappings', i, 'whitelist_ids', k], `whitelist "${id}" is not defined in this bundle`);
    });
    const { policy_id: _single, policy_ids: _many, whitelist_ids: _wl, ...rule } = m;
    out.push({ ...rule, policyIds: refs, whitelistIds: m.whitelist_ids ?? [] });
  });
  c.unique(
    raw.map((m, i) => (out[i] ? out[i].id : undefined)),
    ['mappings'],
    'mapping',
  );
  return out;
}

function compileImageRules(raw: unknown[] | undefined, field: string, c: Collector): ImageRule[] {
  return (raw ?? []).flatMap((item, i) => {
    const rule = c.parse(ImageRuleSchema, item, [field, i]);
    return rule ? [rule] : [];
  });
}

/** Validates a parsed JSON document as an Anchore 1_0 bundle. */
export function validateBundle(raw: unknown): ValidationResult {
  const c = new Collector();
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    c.error([], 'a policy bundle must be a JSON object');
    return { ok: false, errors: c.errors, warnings: c.warnings };
  }
  const top = c.parse(TopSchema, raw, []);
  if (!top) return { ok: false, errors: c.errors, warnings: c.warnings };
  if (top.version !== SUPPORTED_VERSION) {
    c.error(
      ['version'],
      `unsupported bundle version "${top.version}" (only "${SUPPORTED_VERSION}" is supported)`,
    );
  }
  if (top.policies.length === 0) c.error(['policies'], 'the bundle has no policies');
  if (top.mappings.length === 0)
    c.warn(['mappings'], 'the bundle has no mappings: every image gets GO without evaluation');
  const policies = compilePolicies(top.policies, c);
  const whitelists = compileWhitelists(top.whitelists ?? [], c);
  const mappings = compileMappings(
    top.mappings,
    new Set(policies.map((p) => p.id)),
    new Set(whitelists.map((w) => w.id)),
    c,
  );
  const whitelistedImages = compileImageRules(top.whitelisted_images, 'whitelisted_images', c);
  const blacklistedImages = compileImageRules(top.blacklisted_images, 'blacklisted_images', c);
  if (c.errors.length > 0) return { ok: false, errors: c.errors, warnings: c.warnings };
  return {
    ok: true,
    warnings: c.warnings,
    bundle: {
      id: top.id,
      ...(top.name ? { name: top.name } : {}),
      policies,
      whitelists,
      mappings,
      whitelistedImages,
      blacklistedImages,
    },
  };
}

/** Parses bundle JSON text; malformed JSON is reported as an issue at `$`. */
export function validateBundleText(text: string): ValidationResult {
  if (text.length > MAX_BUNDLE_BYTES) {
    return {
      ok: false,
      errors: [
        { path: '$', message: `bundle is ${text.length} characters long (limit ${MAX_BUNDLE_BYTES})` },
      ],
      warnings: [],
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [{ path: '$', message: `malformed JSON: ${reason}` }], warnings: [] };
  }
  return validateBundle(raw);
}

/** Validated bundle or a POLICY_INVALID error listing every problem. */
export function loadBundle(text: string, source: string): ValidatedBundle {
  const result = validateBundleText(text);
  if (result.ok) return result.bundle;
  const lines = result.errors.map((e) => `  ${e.path}: ${e.message}`).join('\n');
  throw new PortcullisError('POLICY_INVALID', `invalid policy bundle ${source}:\n${lines}`, {
    details: { source, errors: result.errors },
  });
}
