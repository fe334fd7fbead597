/**
 * Bundle validation: structure (zod, element by element) and meaning (gates, triggers,
 * parameters, references, duplicates), all problems collected in one pass. Only a bundle with
 * no errors becomes a ValidatedBundle.
 */
import type { z } from 'zod';
import { PortcullisError } from '../errors.js';
import {
  ACTIONS,
  ImageRuleSchema,
  MappingSchema,
  PolicySchema,
  RuleSchema,
  TopSchema,
  WhitelistItemSchema,
  WhitelistSchema,
  type Action,
  type CompiledMapping,
  type CompiledPolicy,
  type CompiledRule,
  type CompiledWhitelist,
  type ImageRule,
  type ValidatedBundle,
} from './bundle.js';
import { formatPath, type PathPart } from './json-path.js';
import { parseParam, Params, type ParamValue } from './params.js';
import { findEolGate, findGate, findTrigger } from './registry.js';

export interface BundleIssue {
  /** JSON path of the offending field, `$` for the whole document. */
  path: string;
  message: string;
}

export type ValidationResult =
  | { ok: true; bundle: ValidatedBundle; warnings: BundleIssue[] }
  | { ok: false; errors: BundleIssue[]; warnings: BundleIssue[] };

export const SUPPORTED_VERSION = '1_0';
/** Largest bundle text accepted: real bundles are tens of kilobytes. */
export const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;

class Collector {
  readonly errors: BundleIssue[] = [];
  readonly warnings: BundleIssue[] = [];
  error(path: readonly PathPart[], message: string): void {
    this.errors.push({ path: formatPath(path), message });
  }
  warn(path: readonly PathPart[], message: string): void {
    this.warnings.push({ path: formatPath(path), message });
  }
  /** Parses with zod, reporting every issue under `base`; undefined when invalid. */
  parse<S extends z.ZodType>(schema: S, value: unknown, base: readonly PathPart[]): z.infer<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const where = [...base, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      this.error(where, missing ? 'is required' : issue.message);
    }
    return undefined;
  }
  /** Reports ids seen twice in one list. */
  unique(ids: readonly (string | undefined)[], base: readonly PathPart[], what: string, field = 'id'): void {
    const first = new Map<string, number>();
    ids.forEach((id, i) => {
      if (id === undefined) return;
      const seen = first.get(id);
      if (seen === undefined) first.set(id, i);
      else
        this.error(
          [...base, i, field],
          `duplicate ${what} id "${id}" (first used at ${formatPath([...base, seen])})`,
        );
    });
  }
}

function compileRule(raw: unknown, path: PathPart[], c: Collector): CompiledRule | undefined {
  const rule = c.parse(RuleSchema, raw, path);
  if (!rule) return undefined;
  const action = ACTIONS.find((a) => a === rule.action.toUpperCase());
  if (!action) c.error([...path, 'action'], `unknown action "${rule.action}" (expected STOP, WARN or GO)`);
  const gate = findGate(rule.gate);
  if (!gate) {
    const eol = findEolGate(rule.gate);
    c.error(
      [...path, 'gate'],
      eol
        ? `gate "${rule.gate}" is end-of-life; use the "${eol.replacement}" gate instead`
        : `unknown gate "${rule.gate}"`,
    );
    return undefined;
  }
  const trigger = findTrigger(gate, rule.trigger);
  if (!trigger) {
    c.error(
      [...path, 'trigger'],
      `unknown trigger "${rule.trigger}" for gate "${gate.name}" (expected one of: ${gate.triggers.map((t) => t.name).join(', ')})`,
    );
    return undefined;
  }
  if (trigger.state === 'eol') c.error([...path, 'trigger'], `trigger "${trigger.name}" is end-of-life`);
  if (trigger.state === 'deprecated') c.warn([...path, 'trigger'], `trigger "${trigger.name}" is deprecated`);
  const values = new Map<string, ParamValue>();
  const raws = new Map<string, string>();
  let paramsOk = true;
  rule.params.forEach((param, j) => {
    const spec = trigger.params.find((p) => p.name === param.name);
    if (!spec) {
      c.error(
        [...path, 'params', j, 'name'],
        `unknown parameter "${param.name}" for trigger ${gate.name}/${trigger.name}${trigger.params.length ? ` (expected one of: ${trigger.params.map((p) => p.name).join(', ')})` : ' (it takes none)'}`,
      );
      paramsOk = false;
      return;
    }
    if (raws.has(param.name)) {
      c.error([...path, 'params', j, 'name'], `parameter "${param.name}" is given more than once`);
      paramsOk = false;
      return;
    }
    raws.set(param.name, param.value);
    const parsed = parseParam(spec, param.value);
    if (!parsed.ok) {
      c.error([...path, 'params', j, 'value'], `invalid value for ${param.name}: ${parsed.reason}`);
      paramsOk = false;
      return;
    }
    if (parsed.warning) c.warn([...path, 'params', j, 'value'], parsed.warning);
    values.set(param.name, parsed.value);
  });
  for (const spec of trigger.params) {
    if (spec.required && !raws.has(spec.name)) {
      c.error(
        [...path, 'params'],
        `missing required parameter "${spec.name}" for trigger ${gate.name}/${trigger.name}`,
      );
      paramsOk = false;
    } else if (!values.has(spec.name) && spec.default !== undefined) {
      const parsed = parseParam(spec, spec.default);
      if (parsed.ok) values.set(spec.name, parsed.value);
    }
  }
  if (paramsOk && trigger.crossCheck) {
    for (const problem of trigger.crossCheck(raws)) {
      const j = problem.param === undefined ? -1 : rule.params.findIndex((p) => p.name === problem.param);
      c.error(j < 0 ? [...path, 'params'] : [...path, 'params', j, 'value'], problem.message);
      paramsOk = false;
    }
  }
  if (!action || !paramsOk) return undefined;
  return { id: rule.id ?? null, gate, trigger, action: action as Action, params: new Params(values) };
}

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
