/**
 * The shape of a policy gate: a named group of triggers, each declaring its parameters and
 * lifecycle. Gates are pure functions of the PolicyInput and the rule's parameters.
 */
import type { PolicyInput } from './input.js';
import type { Lifecycle, ParamSpec, Params } from './params.js';

export interface FiredPackage {
  name: string;
  version: string;
  path?: string;
}

/** One firing of a trigger. Without `triggerId`, Anchore's md5(gate+trigger+message) is used. */
export interface TriggerFire {
  message: string;
  triggerId?: string;
  /** The package involved, for whitelist items scoped by package version or path. */
  package?: FiredPackage;
}

export interface EvaluationServices {
  /** Version order for `required_package` minimum checks; undefined when not comparable. */
  compareVersions(type: string, a: string, b: string): number | undefined;
}

export interface TriggerContext {
  input: PolicyInput;
  params: Params;
  services: EvaluationServices;
}

export interface TriggerDefinition {
  name: string;
  description: string;
  state: Lifecycle;
  params: readonly ParamSpec[];
  /** Checks across parameters (e.g. a value required by the chosen check), after each is valid. */
  crossCheck?(raw: ReadonlyMap<string, string>): ParamProblem[];
  evaluate(ctx: TriggerContext): TriggerFire[];
}

export interface ParamProblem {
  /** The parameter at fault; undefined when the problem is a missing parameter. */
  param?: string;
  message: string;
}

export interface GateDefinition {
  name: string;
  description: string;
  state: Lifecycle;
  triggers: readonly TriggerDefinition[];
  /**
   * Its triggers read the vulnerability findings or the feeds' state. Only such a gate can
   * fire differently after a feed sync re-matched an image (ADR 0027), so only bundles with a
   * rule of one are evaluated again then.
   */
  readsVulnerabilityData?: true;
  /**
   * All its triggers read of the input, besides what the engine reads for every bundle (the
   * image's identity, its unknowns, `now`); absent, they may read anything. A bundle whose
   * every rule's gate declares this is evaluated from a lean read of the analysis after a feed
   * sync (ADR 0030): what is not listed here is left out of that input.
   */
  reads?: readonly LeanInputPart[];
}

/**
 * The parts of the policy input a lean read of a stored analysis holds. `packageKinds`: each
 * package's `type` and whether it is `ownedBy` another, nothing else of it (no name, version,
 * file, config or retrieved file).
 */
export type LeanInputPart = 'findings' | 'feeds' | 'vulnerabilityData' | 'distro' | 'packageKinds';

/** A gate or trigger that is end-of-life: refused at validation, with its replacement named. */
export interface EolGate {
  name: string;
  triggers: readonly string[];
  replacement: string;
}

export const OS_PACKAGE_TYPES: ReadonlySet<string> = new Set(['deb', 'rpm', 'apk']);

export function daysBetween(earlier: Date, later: Date): number {
  return (later.getTime() - earlier.getTime()) / 86_400_000;
}
