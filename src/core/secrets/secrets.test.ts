import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SECRET_RULES } from './default-rules.js';
import { loadGitleaksRules } from './gitleaks.js';
import { compileGoRegex } from './go-regex.js';
import { DEFAULT_SECRET_SCAN_OPTIONS, scanContent } from './scan.js';
import { SHARED_DATA } from '../../../test/support/shared-data.js';

const GITLEAKS = `${SHARED_DATA}/secrets/gitleaks.toml`;
const sharedGitleaks = readFileSync(GITLEAKS, 'utf8');

function randomFrom(alphabet: string, n: number): string {
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A file with real-looking, freshly generated secrets on known lines. */
function plantedFile() {
  const accessKey = 'AKIA' + randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
  const secretKey = randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+', 40);
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const dockerAuth = Buffer.from(`deploy:${randomFrom('abcdefghijkmnopqrstuvwxyz0123456789', 20)}`).toString(
    'base64',
  );
  const lines = [
    '# deployment settings',
    `aws_access_key_id = ${accessKey}`,
    `aws_secret_access_key = ${secretKey}`,
    `{"auths": {"registry.example.com": {"auth": "${dockerAuth}"}}}`,
    ...pem.trimEnd().split('\n'),
  ];
  return { text: lines.join('\n') + '\n', accessKey, secretKey, dockerAuth, pemFirstLine: 5 };
}

describe('Go regex translation', () => {
  it.each([
    ['(?i)abc', 'xABCx', true],
    ['(?i:ab)c', 'ABc', true],
    ['(?i:ab)c', 'ABC', false],
    ['(?i)a(?-i:b)', 'Ab', true],
    ['(?i)a(?-i:b)', 'AB', false],
    ['(?i)[a-c]+', 'CAB', true],
    ['(?i)^[a-z0-9_-]+$', 'Ab_-9', true],
    ['^[[:alnum:]]+\\z', 'abc123', true],
    ['^[[:alnum:]]+\\z', 'abc-123', false],
    ['(?s:a.b)', 'a\nb', true],
    ['a.b', 'a\nb', false],
    ['(?P<word>ab)', 'ab', true],
    ['\\x{41}', 'A', true],
  ])('%s on %j → %s', (pattern, input, expected) => {
    expect(compileGoRegex(pattern).test(input)).toBe(expected);
  });
});

describe('gitleaks rules', () => {
  it('loads the upstream gitleaks.toml and accounts for every rule', () => {
    const declared = (sharedGitleaks.match(/^\[\[rules\]\]$/gm) ?? []).length;
    const { rules, report, globalAllowPaths } = loadGitleaksRules(sharedGitleaks, 'gitleaks.toml');
    expect(declared).toBe(222);
    expect(report.loaded + report.skipped.length).toBe(declared);
    expect(rules).toHaveLength(report.loaded);
    // Only rules without a regex may be skipped; every regex must translate.
    const regexless = sharedGitleaks
      .split(/^\[\[rules\]\]$/m)
      .slice(1)
      .filter((block) => !/^regex = /m.test(block)).length;
    expect(report.skipped).toHaveLength(regexless);
    expect(globalAllowPaths.some((r) => r.test('app/node_modules/x/index.js'))).toBe(true);
  });

  it('finds planted AWS and private-key secrets with the gitleaks rules', () => {
    const planted = plantedFile();
    const { rules } = loadGitleaksRules(sharedGitleaks, 'gitleaks.toml');
    const { findings } = scanContent('/etc/app/settings.env', Buffer.from(planted.text), rules);
    const ids = new Set(findings.map((f) => f.rule));
    expect(ids.has('aws-access-token')).toBe(true);
    expect(ids.has('private-key')).toBe(true);
    for (const f of findings) {
      expect(f.redacted).not.toContain(planted.accessKey);
      expect(f.redacted).not.toContain(planted.secretKey);
    }
  });

  it('rejects a config that is not TOML, naming the file', () => {
    expect(() => loadGitleaksRules('[[rules]\nid=', 'bad.toml')).toThrow(/bad.toml: not valid TOML/);
    expect(() => loadGitleaksRules('[[rules]]\nregex = "a"\n', 'noid.toml')).toThrow(/noid.toml: rules.0.id/);
  });
});

describe('default secret rules', () => {
  it('finds each planted secret on its line and never prints it', () => {
    const planted = plantedFile();
    const { findings } = scanContent(
      '/root/.aws/credentials',
      Buffer.from(planted.text),
      DEFAULT_SECRET_RULES,
    );
    const byRule = new Map(findings.map((f) => [f.rule, f]));
    expect(byRule.get('AWS_ACCESS_KEY')?.line).toBe(2);
    expect(byRule.get('AWS_SECRET_KEY')?.line).toBe(3);
    expect(byRule.get('DOCKER_AUTH')?.line).toBe(4);
    expect(byRule.get('PRIV_KEY')?.line).toBe(planted.pemFirstLine);
    const serialized = JSON.stringify(findings);
    for (const secret of [planted.accessKey, planted.secretKey, planted.dockerAuth])
      expect(serialized).not.toContain(secret);
    expect(byRule.get('AWS_ACCESS_KEY')?.redacted).toBe('aws_access_key_id = ********************');
  });

  it('ignores placeholders and low-entropy values', () => {
    const text = 'password = "changeme"\napi_key = ${API_KEY}\nsecret_key = aaaaaaaaaaaaaaaaaaaaaaaa\n';
    expect(scanContent('/app/.env', Buffer.from(text), DEFAULT_SECRET_RULES).findings).toEqual([]);
  });

  it('skips binaries and files over the size limit', () => {
    const planted = Buffer.from(plantedFile().text);
    expect(
      scanContent(
        '/bin/x',
        Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0]), planted]),
        DEFAULT_SECRET_RULES,
      ).skipped,
    ).toBe('binary');
    const small = { ...DEFAULT_SECRET_SCAN_OPTIONS, maxFileBytes: 10 };
    expect(scanContent('/etc/x', planted, DEFAULT_SECRET_RULES, small).skipped).toBe('too-large');
  });
});

describe('API_KEY rule precision on code (regressions from the Debian sample image)', () => {
  it.each([
    'userid, acct, passwd = self.ftp.getaccount(host)',
    'password = ask_for_password "Password: "',
    'passwd = fallback_getpass(prompt, stream)',
    'api_key = Gem.configuration.rubygems_api_key',
    'passwd: setgid-or-setuid-binary 2755 root/shadow [usr/bin/chage]',
  ])('does not report %j', (line) => {
    expect(scanContent('/usr/lib/x', Buffer.from(line + '\n'), DEFAULT_SECRET_RULES).findings).toEqual([]);
  });

  it('still reports a real-looking assigned secret', () => {
    const value = randomFrom('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789', 24);
    const { findings } = scanContent(
      '/app/.env',
      Buffer.from(`API_KEY=${value}\nclient_secret: "${value}"\n`),
      DEFAULT_SECRET_RULES,
    );
    expect(findings.map((f) => [f.rule, f.line])).toEqual([
      ['API_KEY', 1],
      ['API_KEY', 2],
    ]);
  });
});
