/**
 * Trigger parameters: declared once (name, validator, required, description, example) and used
 * for bundle validation, the policy spec and typed access during evaluation. Bundle values are
 * always strings, as in Anchore's format; this module turns them into typed values.
 */
import { compileUserRegex, repairLeadingGlob, REGEX_LIMITS, type SafeRegex } from './regex.js';

export type Lifecycle = 'active' | 'deprecated' | 'eol';

export type ParamValidator =
  | { type: 'string' }
  | { type: 'integer'; min?: number }
  | { type: 'float'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string-list' }
  | { type: 'integer-list' }
  | { type: 'regex' }
  | { type: 'octal-mode' };

export interface ParamSpec {
  name: string;
  description: string;
  required: boolean;
  validator: ParamValidator;
  example?: string;
  /** Value used when the rule does not set the parameter. */
  default?: string;
  state?: Lifecycle;
  /** Declared by Portcullis, not by Anchore. */
  extension?: boolean;
}

export type ParamValue = string | number | boolean | string[] | number[] | SafeRegex;

export type ParamParse = { ok: true; value: ParamValue; warning?: string } | { ok: false; reason: string };

export const COMPARISONS = ['=', '!=', '<', '>', '<=', '>='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseInteger(raw: string, min: number | undefined): ParamParse {
  if (!/^[+-]?\d+$/.test(raw.trim())) return { ok: false, reason: `"${raw}" is not an integer` };
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `"${raw}" is out of range` };
  if (min !== undefined && value < min) return { ok: false, reason: `${value} is below the minimum ${min}` };
  return { ok: true, value };
}

function parseFloatValue(raw: string, min?: number, max?: number): ParamParse {
  const text = raw.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    return { ok: false, reason: `"${raw}" is not a number` };
  }
  const value = Number(text);
  if (min !== undefined && value < min) return { ok: false, reason: `${value} is below the minimum ${min}` };
  if (max !== undefined && value > max) return { ok: false, reason: `${value} is above the maximum ${max}` };
  return { ok: true, value };
}

function parseRegex(raw: string): ParamParse {
  const direct = compileUserRegex(raw);
  if (direct.ok) return { ok: true, value: direct.regex };
  const repaired = repairLeadingGlob(raw);
  if (repaired !== undefined) {
    const second = compileUserRegex(repaired);
    if (second.ok) {
      return {
        ok: true,
        value: second.regex,
        warning: `"${raw}" is a glob, not a regex; read as "${repaired}"`,
      };
    }
  }
  return { ok: false, reason: direct.reason };
}

/** Parses one raw parameter value against its declaration. */
export function parseParam(spec: ParamSpec, raw: string): ParamParse {
  const v = spec.validator;
  switch (v.type) {
    case 'string':
      return { ok: true, value: raw };
    case 'integer':
      return parseInteger(raw, v.min);
    case 'float':
      return parseFloatValue(raw, v.min, v.max);
    case 'boolean': {
      const lower = raw.trim().toLowerCase();
      if (lower === 'true' || lower === 'false') return { ok: true, value: lower === 'true' };
      return { ok: false, reason: `"${raw}" is not a boolean (true or false)` };
    }
    case 'enum': {
      const found = v.values.find((x) => x.toLowerCase() === raw.trim().toLowerCase());
      if (found !== undefined) return { ok: true, value: found };
      return { ok: false, reason: `"${raw}" is not one of: ${v.values.join(', ')}` };
    }
    case 'string-list':
      return { ok: true, value: splitList(raw) };
    case 'integer-list': {
      const items = splitList(raw);
      const bad = items.find((s) => !/^\d+$/.test(s));
      if (bad !== undefined)
        return { ok: false, reason: `"${bad}" in "${raw}" is not a non-negative integer` };
      return { ok: true, value: items.map(Number) };
    }
    case 'regex':
      return parseRegex(raw);
    case 'octal-mode':
      if (!/^0*[0-7]{1,4}$/.test(raw.trim())) {
        return { ok: false, reason: `"${raw}" is not an octal file mode (e.g. 00644)` };
      }
      return { ok: true, value: parseInt(raw.trim(), 8) };
  }
}

/** The validator in the shape of Anchore's policy spec (JSON-schema-like). */
export function describeValidator(v: ParamValidator): Record<string, unknown> {
  switch (v.type) {
    case 'enum':
      return { type: 'string', enum: [...v.values] };
    case 'string-list':
      return { type: 'string', format: 'comma-separated-list' };
    case 'integer-list':
      return { type: 'string', format: 'comma-separated-integer-list' };
    case 'regex':
      return { type: 'string', format: 'regex', maxLength: REGEX_LIMITS.maxPatternLength };
    case 'octal-mode':
      return { type: 'string', format: 'octal-file-mode' };
    case 'integer':
      return v.min === undefined ? { type: 'integer' } : { type: 'integer', minimum: v.min };
    case 'float':
      return {
        type: 'number',
        ...(v.min === undefined ? {} : { minimum: v.min }),
        ...(v.max === undefined ? {} : { maximum: v.max }),
      };
    default:
      return { type: v.type };
  }
}

/** Typed read access to a rule's parsed parameters, defaults applied. */
export class Params {
  constructor(private readonly values: ReadonlyMap<string, ParamValue>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }
  str(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  num(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
  bool(name: string): boolean | undefined {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }
  strings(name: string): string[] | undefined {
    const v = this.values.get(name);
    return Array.isArray(v) ? v.map(String) : undefined;
  }
  numbers(name: string): number[] | undefined {
    const v = this.values.get(name);
    return Array.isArray(v) ? v.map(Number) : undefined;
  }
  regex(name: string): SafeRegex | undefined {
    const v = this.values.get(name);
    return typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  }
}

/** Applies a comparison operator the way the gates use it: `actual <op> threshold`. */
export function compare(op: string, actual: number, threshold: number): boolean {
  switch (op) {
    case '=':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
    case '<':
      return actual < threshold;
    case '>':
      return actual > threshold;
    case '<=':
      return actual <= threshold;
    case '>=':
      return actual >= threshold;
    default:
      return false;
  }
}
