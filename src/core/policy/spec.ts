/**
 * The policy spec, generated from the gate registry in the shape of Anchore's
 * `GET /system/policy_spec`: gates → triggers → parameters with validators and lifecycle.
 */
import type { Lifecycle } from './params.js';
import { describeValidator } from './params.js';
import { EOL_GATES, GATES } from './registry.js';

export interface SpecParameter {
  name: string;
  description: string;
  required: boolean;
  validator: Record<string, unknown>;
  example: string | null;
  state: Lifecycle;
  /** Portcullis extension (absent in Anchore). */
  extension?: true;
}

export interface SpecTrigger {
  name: string;
  description: string;
  state: Lifecycle;
  superceded_by: string | null;
  parameters: SpecParameter[];
}

export interface SpecGate {
  name: string;
  description: string;
  state: Lifecycle;
  superceded_by: string | null;
  triggers: SpecTrigger[];
}

export function policySpec(): SpecGate[] {
  const active = GATES.map((g): SpecGate => ({
    name: g.name,
    description: g.description,
    state: g.state,
    superceded_by: null,
    triggers: g.triggers.map((t) => ({
      name: t.name,
      description: t.description,
      state: t.state,
      superceded_by: null,
      parameters: t.params.map((p) => ({
        name: p.name,
        description: p.description,
        required: p.required,
        validator: describeValidator(p.validator),
        example: p.example ?? null,
        state: p.state ?? 'active',
        ...(p.extension ? { extension: true as const } : {}),
      })),
    })),
  }));
  const eol = EOL_GATES.map((g): SpecGate => ({
    name: g.name,
    description: `End-of-life: replaced by the ${g.replacement} gate.`,
    state: 'eol',
    superceded_by: g.replacement,
    triggers: g.triggers.map((t) => ({
      name: t,
      description: `End-of-life: use the ${g.replacement} gate.`,
      state: 'eol',
      superceded_by: g.replacement,
      parameters: [],
    })),
  }));
  return [...active, ...eol];
}
