/**
 * Validation of one policy rule against the gate registry: gate, trigger, lifecycle, each
 * parameter's name and value, required parameters, defaults and cross-parameter checks.
 */
import { ACTIONS, RuleSchema, type Action, type CompiledRule } from './bundle.js';
import type { Collector } from './collector.js';
import type { PathPart } from './json-path.js';
import { parseParam, Params, type ParamValue } from './params.js';
import { findEolGate, findGate, findTrigger } from './registry.js';

export function compileRule(raw: unknown, path: PathPart[], c: Collector): CompiledRule | undefined {
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
