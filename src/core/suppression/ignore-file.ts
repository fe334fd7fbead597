/**
 * The ignore file (format in README.md): rules scoped by vulnerability, package, version and
 * path, each with a reason and optionally an expiry date. Parsed with zod at the edge; a bad
 * entry is an error naming its index and field. Unknown keys are errors, since a misspelt
 * scope key would otherwise silently widen a rule.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { PortcullisError } from '../errors.js';
import { checkSize, validate } from './parse-json.js';
import { PACKAGE_TYPES, packageTypeOfPurl, type PackageType } from '../sbom/package-types.js';

export type IgnorePackageType = PackageType;

/** A package type by its own name or by its PURL type (`pypi`, `maven`, `golang`, ...). */
function packageTypeNamed(name: string): string {
  const lower = name.toLowerCase();
  return packageTypeOfPurl(lower) ?? lower;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

const expires = z.union([z.string(), z.date()]).transform((v, ctx) => {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (
    DATE.test(v)
      ? Number.isNaN(Date.parse(`${v}T00:00:00Z`))
      : !z.iso.datetime({ offset: true }).safeParse(v).success
  ) {
    ctx.addIssue({
      code: 'custom',
      message: `not a date (YYYY-MM-DD) or ISO date-time: ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  }
  return v;
});

const rule = z
  .strictObject({
    vulnerability: z.string().min(1).optional(),
    package: z
      .strictObject({
        name: z.string().min(1).optional(),
        version: z.string().min(1).optional(),
        type: z.string().transform(packageTypeNamed).pipe(z.enum(PACKAGE_TYPES)).optional(),
      })
      .optional(),
    path: z.string().min(1).optional(),
    reason: z.string().min(1),
    expires: expires.optional(),
    'fix-state': z.enum(['fixed', 'not-fixed', 'wont-fix', 'unknown']).optional(),
  })
  .refine((r) => r.vulnerability !== undefined || r.package !== undefined || r.path !== undefined, {
    message: 'a rule needs at least one of vulnerability, package or path (it would ignore everything)',
  });

// A bare list is accepted as shorthand; wrapping it first keeps error paths as `ignore[i]`.
const file = z.preprocess(
  (v) => (Array.isArray(v) ? { ignore: v } : v),
  z.strictObject({ ignore: z.array(rule) }),
);

export type IgnoreRule = z.infer<typeof rule> & { index: number };

export interface IgnoreRules {
  source: string;
  rules: IgnoreRule[];
}

function parseText(source: string, text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new PortcullisError(
        'IGNORE_FILE_INVALID',
        `${source}: not valid JSON (${(err as Error).message})`,
        {
          cause: err,
          details: { path: source },
        },
      );
    }
  }
  try {
    // yaml's default alias limit bounds "billion laughs" documents.
    return parseYaml(text) as unknown;
  } catch (err) {
    const line = err instanceof YAMLParseError ? err.linePos?.[0].line : undefined;
    throw new PortcullisError(
      'IGNORE_FILE_INVALID',
      `${source}${line ? `:${line}` : ''}: not valid YAML (${(err as Error).message.split('\n')[0]})`,
      { cause: err, details: { path: source, ...(line ? { line } : {}) } },
    );
  }
}

export function parseIgnoreFile(source: string, text: Buffer | string): IgnoreRules {
  checkSize('IGNORE_FILE_INVALID', source, text);
  const value = parseText(source, typeof text === 'string' ? text : text.toString('utf8'));
  if (value === null || value === undefined) return { source, rules: [] }; // empty file
  const parsed = validate('IGNORE_FILE_INVALID', source, file, value);
  return { source, rules: parsed.ignore.map((r, index) => ({ ...r, index })) };
}
