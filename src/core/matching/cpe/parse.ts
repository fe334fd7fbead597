/**
 * CPE 2.3 formatted strings (NISTIR 7695 §6.2): `cpe:2.3:` then eleven colon-separated
 * attributes. A lone `*` is ANY, a lone `-` is NA (not applicable); a backslash quotes the next
 * character; an unquoted `*` or `?` inside a value is a wildcard (`?` = one character).
 */
import { PortcullisError } from '../../errors.js';

export type CpeValue =
  | { kind: 'any' }
  | { kind: 'na' }
  /** `value` is unescaped and lower-cased; `pattern` is set when the value holds wildcards. */
  | { kind: 'value'; value: string; pattern?: RegExp };

export const CPE_ATTRIBUTES = [
  'part',
  'vendor',
  'product',
  'version',
  'update',
  'edition',
  'language',
  'swEdition',
  'targetSw',
  'targetHw',
  'other',
] as const;

export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number];
export type Cpe = Record<CpeAttribute, CpeValue>;

/** CPE strings longer than this are not real NVD data; refuse before any regex work. */
const MAX_LENGTH = 1024;

function invalid(cpe: string, why: string): PortcullisError {
  return new PortcullisError(
    'INVALID_CPE',
    `invalid CPE 2.3 string ${JSON.stringify(cpe.slice(0, 200))}: ${why}`,
    {
      details: { cpe: cpe.slice(0, 200) },
    },
  );
}

/** Splits the attributes after the prefix at unquoted colons; `cpe` is only for messages. */
function splitFields(cpe: string, body: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\') {
      if (i + 1 >= body.length) throw invalid(cpe, 'trailing backslash');
      current += ch + (body[i + 1] as string);
      i++;
    } else if (ch === ':') {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}

function parseValue(cpe: string, raw: string, attribute: CpeAttribute): CpeValue {
  if (raw === '*') return { kind: 'any' };
  if (raw === '-') return { kind: 'na' };
  if (raw === '') throw invalid(cpe, `empty ${attribute}`);
  let value = '';
  let regex = '';
  let wild = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === '\\') {
      const next = (raw[i + 1] as string).toLowerCase();
      value += next;
      regex += next.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      i++;
    } else if (ch === '*' || ch === '?') {
      wild = true;
      value += ch;
      regex += ch === '*' ? '.*' : '.';
    } else if (/[\s"'`]/.test(ch)) {
      throw invalid(cpe, `unquoted ${JSON.stringify(ch)} in ${attribute}`);
    } else {
      const lower = ch.toLowerCase();
      value += lower;
      regex += lower.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return wild ? { kind: 'value', value, pattern: new RegExp(`^${regex}$`) } : { kind: 'value', value };
}

export function parseCpe23(cpe: string): Cpe {
  if (cpe.length > MAX_LENGTH) throw invalid(cpe, `longer than ${MAX_LENGTH} characters`);
  if (!cpe.startsWith('cpe:2.3:')) throw invalid(cpe, 'does not start with cpe:2.3:');
  const fields = splitFields(cpe, cpe.slice('cpe:2.3:'.length));
  if (fields.length !== CPE_ATTRIBUTES.length) {
    throw invalid(cpe, `${fields.length} attributes, expected ${CPE_ATTRIBUTES.length}`);
  }
  const out = {} as Cpe;
  CPE_ATTRIBUTES.forEach((attribute, i) => {
    out[attribute] = parseValue(cpe, fields[i] as string, attribute);
  });
  const part = out.part;
  if (part.kind !== 'value' || !['a', 'o', 'h'].includes(part.value)) {
    throw invalid(cpe, 'part must be a, o or h');
  }
  return out;
}

/** Whether one CPE attribute value accepts a concrete (lower-case) value. NA accepts nothing. */
export function acceptsValue(pattern: CpeValue, value: string): boolean {
  if (pattern.kind === 'any') return true;
  if (pattern.kind === 'na') return false;
  return pattern.pattern ? pattern.pattern.test(value) : pattern.value === value;
}
