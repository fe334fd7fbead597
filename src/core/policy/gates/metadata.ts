/** The `metadata` gate: image attributes (size, architecture, OS, distro, layer count). */
import type { GateDefinition, ParamProblem, TriggerContext } from '../gate.js';
import { compare, splitList } from '../params.js';
import { compileUserRegex, usableRegex } from '../regex.js';

const ATTRIBUTES = [
  'size',
  'architecture',
  'os_type',
  'distro',
  'distro_version',
  'like_distro',
  'layer_count',
] as const;
const CHECKS = [
  '=',
  '!=',
  '>',
  '<',
  '>=',
  '<=',
  'exists',
  'not_exists',
  'like',
  'not_like',
  'in',
  'not_in',
] as const;
const NUMERIC_CHECKS = new Set(['>', '<', '>=', '<=']);

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Byte count from `10737418240`, `10GB`, `512MiB`; undefined when not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const factor = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  return m && factor !== undefined ? Number(m[1]) * factor : undefined;
}

function attributeValue(ctx: TriggerContext, attribute: string): string | number | undefined {
  const img = ctx.input.image;
  switch (attribute) {
    case 'size':
      return img.size;
    case 'architecture':
      return img.architecture;
    case 'os_type':
      return img.os;
    case 'distro':
      return img.distro?.name;
    case 'distro_version':
      return img.distro?.version;
    case 'like_distro':
      return img.distro?.like.length ? img.distro.like.join(',') : undefined;
    case 'layer_count':
      return img.layerCount;
    default:
      return undefined;
  }
}

function asNumber(attribute: string, text: string): number | undefined {
  if (attribute === 'size') return parseByteSize(text);
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : undefined;
}

function checkHolds(
  attribute: string,
  check: string,
  actual: string | number | undefined,
  expected: string,
): boolean {
  if (check === 'exists') return actual !== undefined;
  if (check === 'not_exists') return actual === undefined;
  if (actual === undefined) return false;
  const text = String(actual);
  switch (check) {
    case '=':
    case '!=': {
      const a = typeof actual === 'number' ? actual : undefined;
      const e = asNumber(attribute, expected);
      const equal = a !== undefined && e !== undefined ? a === e : text === expected;
      return check === '=' ? equal : !equal;
    }
    case 'like':
      return usableRegex(expected)?.matchStart(text) === true;
    case 'not_like':
      return usableRegex(expected)?.matchStart(text) === false;
    case 'in':
      return splitList(expected).includes(text);
    case 'not_in':
      return !splitList(expected).includes(text);
    default: {
      const a = typeof actual === 'number' ? actual : asNumber(attribute, text);
      const e = asNumber(attribute, expected);
      // Non-numeric values compare as text, as Python compared Anchore's strings.
      if (a === undefined || e === undefined) return compare(check, text.localeCompare(expected, 'en'), 0);
      return compare(check, a, e);
    }
  }
}

function crossCheck(raw: ReadonlyMap<string, string>): ParamProblem[] {
  const check = raw.get('check');
  const value = raw.get('value');
  if (check === undefined || check === 'exists' || check === 'not_exists') return [];
  if (value === undefined) return [{ message: `check '${check}' needs the 'value' parameter` }];
  if (check === 'like' || check === 'not_like') {
    const compiled = compileUserRegex(value);
    return compiled.ok ? [] : [{ param: 'value', message: compiled.reason }];
  }
  const attribute = raw.get('attribute');
  if (
    (attribute === 'size' || attribute === 'layer_count') &&
    NUMERIC_CHECKS.has(check) &&
    asNumber(attribute, value) === undefined
  ) {
    return [
      {
        param: 'value',
        message: `"${value}" is not a ${attribute === 'size' ? 'size (bytes, or with a unit such as 10GB)' : 'number'}`,
      },
    ];
  }
  return [];
}

export const metadataGate: GateDefinition = {
  name: 'metadata',
  description: 'Checks image metadata attributes.',
  state: 'active',
  triggers: [
    {
      name: 'attribute',
      description: 'Fires when the image attribute passes the check against the value.',
      state: 'active',
      params: [
        {
          name: 'attribute',
          description: 'Image attribute to check.',
          required: true,
          validator: { type: 'enum', values: ATTRIBUTES },
          example: 'size',
        },
        {
          name: 'check',
          description: 'Comparison to apply.',
          required: true,
          validator: { type: 'enum', values: CHECKS },
          example: '>',
        },
        {
          name: 'value',
          description:
            'Value to compare with; size accepts units (10GB, 512MiB); a list for in/not_in; a regex for like.',
          required: false,
          validator: { type: 'string' },
          example: '1GB',
        },
      ],
      crossCheck,
      evaluate: (ctx) => {
        const attribute = ctx.params.str('attribute') ?? '';
        const check = ctx.params.str('check') ?? '';
        const expected = ctx.params.str('value') ?? '';
        const actual = attributeValue(ctx, attribute);
        if (!checkHolds(attribute, check, actual, expected)) return [];
        return [
          {
            message: `Attribute check for attribute: '${attribute}' check: '${check}' check_value: '${expected}' matched image value: '${actual ?? ''}'`,
          },
        ];
      },
    },
  ],
};
