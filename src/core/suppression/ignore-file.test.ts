/**
 * Ignore files: format parsing, scoping, expiry and bad input. Version ranges on deb packages
 * are checked against `dpkg --compare-versions`; npm ranges against npm's `semver`.
 */
import { execFileSync } from 'node:child_process';
import semverLib from 'semver';
import { describe, expect, it } from 'vitest';
import { isPortcullisError } from '../errors.js';
import { applySuppressions } from './apply.js';
import { parseIgnoreFile } from './ignore-file.js';
import { finding } from './test-support.js';

const now = new Date('2026-03-10T12:00:00Z');

function dpkgHolds(installed: string, op: string, other: string): boolean {
  const ops: Record<string, string> = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '=': 'eq' };
  try {
    // stdio piped: dpkg's complaints about bad syntax are expected here, not test output.
    execFileSync('dpkg', ['--compare-versions', installed, ops[op] as string, other], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (isPortcullisError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a PortcullisError');
}

const deb = (version: string) =>
  finding('CVE-2023-4911', { name: 'libc6', version, type: 'deb', purl: `pkg:deb/debian/libc6@${version}` });
const npm = (version: string) =>
  finding(
    'GHSA-xvch-5gv4-984h',
    {
      name: 'minimist',
      version,
      type: 'npm',
      purl: `pkg:npm/minimist@${version}`,
      path: `/app/node_modules/minimist/package.json`,
    },
    { aliases: ['CVE-2021-44906'], fixState: 'fixed' },
  );

describe('ignore file', () => {
  it('reads YAML and JSON to the same rules', () => {
    const yaml = parseIgnoreFile(
      '.portcullis-ignore.yaml',
      `ignore:\n  - vulnerability: CVE-2021-*\n    package: { name: minimist, type: npm }\n    reason: dev only\n    expires: 2026-12-31\n`,
    );
    const json = parseIgnoreFile(
      'ignore.json',
      JSON.stringify({
        ignore: [
          {
            vulnerability: 'CVE-2021-*',
            package: { name: 'minimist', type: 'npm' },
            reason: 'dev only',
            expires: '2026-12-31',
          },
        ],
      }),
    );
    expect(yaml.rules).toEqual(json.rules);
    expect(yaml.rules[0]).toMatchObject({ index: 0, expires: '2026-12-31', package: { type: 'npm' } });
    expect(parseIgnoreFile('empty.yaml', '').rules).toEqual([]);
    expect(
      parseIgnoreFile('t.yaml', '- path: /x\n  reason: r\n  package: { type: pypi }\n').rules[0]?.package
        ?.type,
    ).toBe('python');
  });

  it('scopes by vulnerability glob (ids and aliases), name, type, path glob and fix-state', async () => {
    const f = npm('1.2.0');
    const cases: [string, boolean][] = [
      ['- vulnerability: "cve-2021-44906"\n  reason: r', true],
      ['- vulnerability: "GHSA-*"\n  reason: r', true],
      ['- vulnerability: "CVE-2022-*"\n  reason: r', false],
      ['- package: { name: "mini*" }\n  reason: r', true],
      ['- package: { name: minimist, type: gem }\n  reason: r', false],
      ['- path: "/app/**"\n  reason: r', true],
      ['- path: "/srv/**"\n  reason: r', false],
      ['- vulnerability: CVE-2021-44906\n  fix-state: not-fixed\n  reason: r', false],
      ['- vulnerability: CVE-2021-44906\n  fix-state: fixed\n  reason: r', true],
    ];
    for (const [text, expected] of cases) {
      const { findings, report } = await applySuppressions([f], {
        ignore: parseIgnoreFile('i.yaml', text),
        now,
      });
      expect(findings[0]?.suppressed?.by === 'ignore-rule', text).toBe(expected);
      expect(report.rules[0]?.status, text).toBe(expected ? 'applied' : 'unmatched');
    }
  });

  it('evaluates deb version ranges as dpkg does', async () => {
    const installed = ['2.36-9+deb12u1', '2.36-9', '2.36-9+deb12u10', '1:2.0-1', '2.36~rc1-1'];
    const bounds: [string, string][] = [
      ['<', '2.36-9+deb12u4'],
      ['<=', '2.36-9'],
      ['>=', '2.36-9+deb12u1'],
      ['>', '2.36'],
      ['=', '2.36-9+deb12u1'],
    ];
    for (const v of installed) {
      for (const [op, other] of bounds) {
        const rules = parseIgnoreFile(
          'i.yaml',
          `- package: { name: libc6, version: "${op} ${other}" }\n  reason: r`,
        );
        const { findings } = await applySuppressions([deb(v)], { ignore: rules, now });
        expect(findings[0]?.suppressed !== undefined, `${v} ${op} ${other}`).toBe(dpkgHolds(v, op, other));
      }
      const both = parseIgnoreFile(
        'i.yaml',
        `- package: { version: ">= 2.36-9, < 2.36-9+deb12u4" }\n  reason: r`,
      );
      const { findings } = await applySuppressions([deb(v)], { ignore: both, now });
      expect(findings[0]?.suppressed !== undefined, v).toBe(
        dpkgHolds(v, '>=', '2.36-9') && dpkgHolds(v, '<', '2.36-9+deb12u4'),
      );
    }
    // An exact version is compared in the scheme (epoch 0 is implicit), not as text.
    const exact = parseIgnoreFile('i.yaml', `- package: { version: "0:2.36-9" }\n  reason: r`);
    expect(
      (await applySuppressions([deb('2.36-9')], { ignore: exact, now })).findings[0]?.suppressed,
    ).toBeDefined();
  });

  it('evaluates npm ranges as npm semver does', async () => {
    for (const v of ['1.2.0', '1.2.5', '1.2.6', '0.0.8', '2.0.0-rc.1']) {
      for (const range of ['<1.2.6', '^1.2.0', '1.2.x', '>=0.0.1 <1.0.0 || 1.2.0']) {
        const rules = parseIgnoreFile(
          'i.json',
          JSON.stringify([{ package: { version: range }, reason: 'r' }]),
        );
        const { findings } = await applySuppressions([npm(v)], { ignore: rules, now });
        expect(findings[0]?.suppressed !== undefined, `${v} ${range}`).toBe(semverLib.satisfies(v, range));
      }
    }
  });

  it('expired rules do not apply and are reported as expired; a date lasts through its UTC day', async () => {
    const rules = parseIgnoreFile(
      'i.yaml',
      [
        '- vulnerability: CVE-2021-44906\n  reason: old\n  expires: 2026-03-09',
        '- vulnerability: CVE-2021-44906\n  reason: today\n  expires: 2026-03-10',
        '- vulnerability: CVE-2099-0001\n  reason: never matches',
      ].join('\n'),
    );
    const { findings, report } = await applySuppressions([npm('1.2.0')], { ignore: rules, now });
    expect(findings[0]?.suppressed?.reason).toContain('today (i.yaml ignore[1], until 2026-03-10)');
    expect(report.rules.map((r) => r.status)).toEqual(['expired', 'applied', 'unmatched']);
    const later = await applySuppressions([npm('1.2.0')], {
      ignore: rules,
      now: new Date('2026-03-11T00:00:00Z'),
    });
    expect(later.findings[0]?.suppressed).toBeUndefined();
    expect(later.report.rules.map((r) => r.status)).toEqual(['expired', 'expired', 'unmatched']);
  });
});

describe('bad ignore files', () => {
  const cases: [string, string, RegExp][] = [
    ['missing reason', '- vulnerability: CVE-1\n', /^i\.yaml: ignore\[0\]\.reason: /],
    [
      'unknown key',
      'ignore:\n  - reason: r\n    vulnerability: X\n  - reason: r\n    vulnerabilty: X\n',
      /ignore\[1\]/,
    ],
    ['empty scope', 'ignore:\n  - reason: r\n', /ignore\[0\]: a rule needs at least one/],
    ['bad date', '- vulnerability: X\n  reason: r\n  expires: next week\n', /\[0\]\.expires: not a date/],
    ['bad type', '- package: { type: cobol }\n  reason: r\n', /\[0\]\.package\.type/],
    ['bad fix-state', '- vulnerability: X\n  reason: r\n  fix-state: maybe\n', /\[0\]\["fix-state"\]/],
    ['bad YAML', 'ignore:\n  - reason: "r\n  bad: [\n', /^i\.yaml(:\d+)?: not valid YAML/],
    ['bad JSON', '{"ignore": [', /^i\.yaml: not valid JSON/],
    ['scalar', '42', /^i\.yaml: \$: /],
  ];
  for (const [name, text, pattern] of cases) {
    it(name, () => {
      const e = errorOf(() => parseIgnoreFile('i.yaml', text));
      expect(e.code).toBe('IGNORE_FILE_INVALID');
      expect(e.message).toMatch(pattern);
    });
  }

  it('an unparsable range is an error naming the entry when it is evaluated', async () => {
    const rules = parseIgnoreFile(
      'i.yaml',
      '- vulnerability: X\n  reason: r\n- package: { version: "<<1" }\n  reason: r\n',
    );
    await expect(applySuppressions([npm('1.2.0')], { ignore: rules, now })).rejects.toMatchObject({
      code: 'IGNORE_FILE_INVALID',
      message: expect.stringContaining('ignore[1].package.version'),
    });
  });

  it('YAML alias bombs are refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
      .concat(
        Array.from(
          { length: 8 },
          (_, i) =>
            `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
              .fill(`*${String.fromCharCode(97 + i)}`)
              .join(',')}]`,
        ),
      )
      .join('\n');
    expect(errorOf(() => parseIgnoreFile('bomb.yaml', bomb)).code).toBe('IGNORE_FILE_INVALID');
  });
});
