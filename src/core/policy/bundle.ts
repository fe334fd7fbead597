/**
 * Anchore policy bundle format "1_0": zod schemas for each element (validated one element at a
 * time so that every error in a bundle is reported at once) and the validated, compiled form
 * the evaluator runs.
 */
import { z } from 'zod';
import type { GateDefinition, TriggerDefinition } from './gate.js';
import type { Params } from './params.js';

export const ACTIONS = ['GO', 'WARN', 'STOP'] as const;
export type Action = (typeof ACTIONS)[number];

const optionalText = z.string().optional();
const nonEmpty = z.string().min(1, 'must not be empty');

export const TopSchema = z.object({
  id: nonEmpty,
  name: optionalText,
  comment: optionalText,
  version: z.string(),
  policies: z.array(z.unknown()),
  whitelists: z.array(z.unknown()).optional(),
  mappings: z.array(z.unknown()),
  whitelisted_images: z.array(z.unknown()).optional(),
  blacklisted_images: z.array(z.unknown()).optional(),
});

export const PolicySchema = z.object({
  id: nonEmpty,
  name: optionalText,
  comment: optionalText,
  version: optionalText,
  rules: z.array(z.unknown()),
});

export const RuleSchema = z.object({
  id: optionalText,
  gate: nonEmpty,
  trigger: nonEmpty,
  action: z.string(),
  params: z.array(z.object({ name: nonEmpty, value: z.string() })).default([]),
});

export const WhitelistSchema = z.object({
  id: nonEmpty,
  name: optionalText,
  comment: optionalText,
  version: optionalText,
  items: z.array(z.unknown()),
});

export const WhitelistItemSchema = z.object({
  id: nonEmpty,
  gate: nonEmpty,
  trigger_id: nonEmpty,
  expires_on: optionalText,
  /** Portcullis extension: only for fired triggers on this package version (wildcards allowed). */
  package_version: optionalText,
  /** Portcullis extension: only for fired triggers on a package at this path (wildcards allowed). */
  package_path: optionalText,
});

const ImageSelector = z.object({ type: z.enum(['tag', 'digest', 'id']), value: nonEmpty });

export const ImageRuleSchema = z.object({
  id: optionalText,
  name: optionalText,
  registry: nonEmpty,
  repository: nonEmpty,
  image: ImageSelector,
});

export const MappingSchema = ImageRuleSchema.extend({
  policy_id: optionalText,
  policy_ids: z.array(nonEmpty).optional(),
  whitelist_ids: z.array(nonEmpty).optional(),
});

export type ImageRule = z.infer<typeof ImageRuleSchema>;

export interface CompiledRule {
  id: string | null;
  gate: GateDefinition;
  trigger: TriggerDefinition;
  action: Action;
  params: Params;
}

export interface CompiledPolicy {
  id: string;
  name?: string;
  rules: CompiledRule[];
}

export interface CompiledWhitelistItem {
  id: string;
  gate: string;
  triggerId: string;
  expiresOn?: Date;
  packageVersion?: string;
  packagePath?: string;
}

export interface CompiledWhitelist {
  id: string;
  name?: string;
  items: CompiledWhitelistItem[];
}

export interface CompiledMapping extends ImageRule {
  policyIds: string[];
  whitelistIds: string[];
}

/** A bundle that passed validation: nothing is evaluated before this exists. */
export interface ValidatedBundle {
  id: string;
  name?: string;
  policies: CompiledPolicy[];
  whitelists: CompiledWhitelist[];
  mappings: CompiledMapping[];
  whitelistedImages: ImageRule[];
  blacklistedImages: ImageRule[];
}

/** Whether a rule of the bundle reads the findings or the feeds (a feed sync can change its verdict). */
export function readsVulnerabilityData(bundle: Pick<ValidatedBundle, 'policies'>): boolean {
  return bundle.policies.some((p) => p.rules.some((r) => r.gate.readsVulnerabilityData === true));
}

/** Whether every rule of the bundle reads no more than a lean input holds (`GateDefinition.reads`). */
export function readsLeanInputOnly(bundle: Pick<ValidatedBundle, 'policies'>): boolean {
  return bundle.policies.every((p) => p.rules.every((r) => r.gate.reads !== undefined));
}
