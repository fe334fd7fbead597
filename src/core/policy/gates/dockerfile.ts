/** The `dockerfile` gate: the supplied Dockerfile, or the one reconstructed from history. */
import {
  DOCKERFILE_INSTRUCTIONS,
  parseDockerfile,
  portNumbers,
  type DockerInstruction,
} from '../dockerfile.js';
import type { GateDefinition, ParamProblem, TriggerContext, TriggerFire } from '../gate.js';
import { splitList, type ParamSpec } from '../params.js';
import { compileUserRegex, repairLeadingGlob, usableRegex } from '../regex.js';
import { sameUser, userPart } from '../users.js';

const CHECKS = ['=', '!=', 'exists', 'not_exists', 'like', 'not_like', 'in', 'not_in'] as const;

const actualOnly: ParamSpec = {
  name: 'actual_dockerfile_only',
  description:
    'If true, only evaluate a Dockerfile supplied with the image, never one reconstructed from history.',
  required: false,
  validator: { type: 'boolean' },
  example: 'false',
  default: 'false',
};

function instructions(ctx: TriggerContext): DockerInstruction[] | undefined {
  const df = ctx.input.dockerfile;
  if (!df) return undefined;
  if (ctx.params.bool('actual_dockerfile_only') === true && df.source !== 'supplied') return undefined;
  return parseDockerfile(df.text);
}

function valueMatches(check: string, actual: string, expected: string): boolean {
  switch (check) {
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    case 'like':
      return usableRegex(expected)?.matchStart(actual) === true;
    case 'not_like':
      return usableRegex(expected)?.matchStart(actual) === false;
    case 'in':
      return splitList(expected).includes(actual);
    case 'not_in':
      return !splitList(expected).includes(actual);
    default:
      return false;
  }
}

function evaluateInstruction(ctx: TriggerContext): TriggerFire[] {
  const all = instructions(ctx);
  if (!all) return [];
  const name = ctx.params.str('instruction') ?? '';
  const check = ctx.params.str('check') ?? '';
  const expected = ctx.params.str('value') ?? '';
  const found = all.filter((i) => i.instruction === name);
  if (check === 'not_exists') {
    return found.length === 0
      ? [{ message: `Dockerfile directive '${name}' not found, matching condition 'not_exists' check` }]
      : [];
  }
  if (check === 'exists') {
    return found.map((i) => ({
      message: `Dockerfile directive '${name}' found, matching condition 'exists' check on line ${i.line}: '${i.value}'`,
    }));
  }
  return found
    .filter((i) => valueMatches(check, i.value, expected))
    .map((i) => ({
      message: `Dockerfile directive '${name}' check '${check}' matched against '${expected}' for line '${i.value}'`,
    }));
}

function crossCheckInstruction(raw: ReadonlyMap<string, string>): ParamProblem[] {
  const check = raw.get('check');
  const value = raw.get('value');
  if (check === undefined || check === 'exists' || check === 'not_exists') return [];
  if (value === undefined) return [{ message: `check '${check}' needs the 'value' parameter` }];
  if (check === 'like' || check === 'not_like') {
    const compiled = compileUserRegex(value);
    const repaired = compiled.ok ? undefined : repairLeadingGlob(value);
    if (!compiled.ok && (repaired === undefined || !compileUserRegex(repaired).ok)) {
      return [{ param: 'value', message: compiled.reason }];
    }
  }
  return [];
}

/** The user the container runs as: config User, else the last USER instruction, else root. */
function effectiveUser(ctx: TriggerContext): string {
  const configured = ctx.input.config.user.trim();
  const fromDockerfile = ctx.input.dockerfile
    ? parseDockerfile(ctx.input.dockerfile.text)
        .filter((i) => i.instruction === 'USER')
        .at(-1)?.value
    : undefined;
  return userPart(configured || fromDockerfile || 'root');
}

function exposedPorts(ctx: TriggerContext): number[] {
  const df = ctx.input.dockerfile;
  const fromDockerfile = df
    ? parseDockerfile(df.text)
        .filter((i) => i.instruction === 'EXPOSE')
        .map((i) => i.value)
    : [];
  if (ctx.params.bool('actual_dockerfile_only') === true) {
    return df?.source === 'supplied' ? [...new Set(portNumbers(fromDockerfile))] : [];
  }
  return [...new Set([...portNumbers(fromDockerfile), ...portNumbers(ctx.input.config.exposedPorts)])];
}

const listType: ParamSpec = {
  name: 'type',
  description: 'whitelist: fire for values not in the list; blacklist: fire for values in the list.',
  required: true,
  validator: { type: 'enum', values: ['whitelist', 'blacklist'] },
  example: 'blacklist',
};

export const dockerfileGate: GateDefinition = {
  name: 'dockerfile',
  description: 'Checks the Dockerfile supplied with the image, or the one reconstructed from its history.',
  state: 'active',
  triggers: [
    {
      name: 'instruction',
      description: 'Fires when an instruction passes the check against the value.',
      state: 'active',
      params: [
        {
          name: 'instruction',
          description: 'The Dockerfile instruction to check.',
          required: true,
          validator: { type: 'enum', values: DOCKERFILE_INSTRUCTIONS },
          example: 'FROM',
        },
        {
          name: 'check',
          description: "How to compare the instruction's arguments with value (like/not_like take a regex).",
          required: true,
          validator: { type: 'enum', values: CHECKS },
          example: '=',
        },
        {
          name: 'value',
          description:
            'Value to compare with; a regex for like/not_like, a comma-separated list for in/not_in.',
          required: false,
          validator: { type: 'string' },
          example: 'scratch',
        },
        actualOnly,
      ],
      crossCheck: crossCheckInstruction,
      evaluate: evaluateInstruction,
    },
    {
      name: 'effective_user',
      description: 'Checks the user the container runs as (the last USER, root when none).',
      state: 'active',
      params: [
        {
          name: 'users',
          description: 'Comma-separated user names.',
          required: true,
          validator: { type: 'string-list' },
          example: 'root,docker',
        },
        listType,
      ],
      evaluate: (ctx) => {
        const user = effectiveUser(ctx);
        // Root matches by name or uid 0 (`USER 0:0` is root too), see users.ts.
        const listed = (ctx.params.strings('users') ?? []).some((listedUser) => sameUser(listedUser, user));
        const blacklist = ctx.params.str('type') === 'blacklist';
        if (blacklist ? !listed : listed) return [];
        return [
          {
            message: `User ${user} found as effective user, which is ${blacklist ? 'in the blacklist' : 'not in the whitelist'}`,
          },
        ];
      },
    },
    {
      name: 'exposed_ports',
      description: 'Checks the ports the image exposes.',
      state: 'active',
      params: [
        {
          name: 'ports',
          description: 'Comma-separated port numbers.',
          required: true,
          validator: { type: 'integer-list' },
          example: '22,80',
        },
        { ...listType, required: false, default: 'blacklist' },
        actualOnly,
      ],
      evaluate: (ctx) => {
        const listed = new Set(ctx.params.numbers('ports') ?? []);
        const blacklist = (ctx.params.str('type') ?? 'blacklist') === 'blacklist';
        return exposedPorts(ctx)
          .filter((port) => (blacklist ? listed.has(port) : !listed.has(port)))
          .map((port) => ({
            message: `Dockerfile exposes port (${port}) which is ${blacklist ? 'in the policy blacklist' : 'not in the policy whitelist'}`,
          }));
      },
    },
    {
      name: 'no_dockerfile_provided',
      description: 'Fires when no Dockerfile was supplied with the image.',
      state: 'active',
      params: [],
      evaluate: ({ input }) =>
        input.dockerfile?.source === 'supplied'
          ? []
          : [{ message: 'Image was not analyzed with an actual Dockerfile' }],
    },
  ],
};
