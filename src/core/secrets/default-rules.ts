/**
 * Portcullis's own default secret rules: Anchore's five named classes (AWS access key, AWS
 * secret key, private key, docker auth, API key) plus a few token formats with fixed,
 * documented prefixes. Written from the token formats, kept deliberately high-precision.
 */
import type { SecretRule } from './rules.js';

/** Values that are placeholders, not secrets. */
const PLACEHOLDERS: readonly RegExp[] = [
  /^(?:x+|\*+|<[^>]*>|\$\{?[A-Za-z_]+\}?|changeme|example\w*|placeholder)$/i,
];

function rule(
  id: string,
  description: string,
  regex: RegExp,
  keywords: string[],
  extra: Partial<Pick<SecretRule, 'secretGroup' | 'entropy' | 'allowRegexes'>> = {},
): SecretRule {
  return {
    id,
    description,
    regex,
    keywords,
    secretGroup: extra.secretGroup ?? 0,
    entropy: extra.entropy ?? 0,
    allowRegexes: extra.allowRegexes ?? PLACEHOLDERS,
    allowPaths: [],
    origin: 'portcullis',
  };
}

export const DEFAULT_SECRET_RULES: readonly SecretRule[] = [
  rule(
    'AWS_ACCESS_KEY',
    'AWS access key id',
    /\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b/g,
    ['akia', 'asia', 'abia', 'acca', 'a3t'],
    { secretGroup: 1 },
  ),
  rule(
    'AWS_SECRET_KEY',
    'AWS secret access key assigned to a recognisable variable',
    /aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    ['aws'],
    { secretGroup: 1, entropy: 3.5 },
  ),
  rule(
    'PRIV_KEY',
    'PEM private key',
    /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(\r?\n[\s\S]{20,}?)-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g,
    ['-----begin'],
    { secretGroup: 1 },
  ),
  rule(
    'DOCKER_AUTH',
    'registry credentials in a docker config.json',
    /"auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})"/g,
    ['"auth"'],
    { secretGroup: 1 },
  ),
  rule(
    'API_KEY',
    'API key, token or password assigned to a recognisable variable',
    // The value must end at a quote, space, `;`, `,` or the end of the line, so a function call
    // (`password = ask_for_password(...)`) never matches a shortened prefix of its name.
    /\b(?:api[_-]?key|api[_-]?secret|access[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key|password|passwd)["']?\s*[:=]\s*["']?([A-Za-z0-9_\-./+=!@#$%^&*]{16,128})(?=["'\s;,]|$)/gim,
    // Exactly the variable names the regex accepts, so the prefilter passes no file the
    // regex cannot match ("key" alone let a quarter of all text files through).
    [
      ...['api key', 'api secret', 'access token', 'auth token', 'client secret', 'secret key'].flatMap(
        (name) => ['', '_', '-'].map((sep) => name.replace(' ', sep)),
      ),
      'password',
      'passwd',
    ],
    {
      secretGroup: 1,
      entropy: 3.2,
      allowRegexes: [
        ...PLACEHOLDERS,
        // Code, not secrets: dotted identifier chains (`Gem.configuration.api_key`) and plain
        // lower-case words (`passwd: setuid-binary` in a lintian override).
        /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/,
        /^[a-z_.-]+$/,
      ],
    },
  ),
  rule(
    'GITHUB_TOKEN',
    'GitHub token',
    /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b/g,
    ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    {
      secretGroup: 1,
    },
  ),
  rule('SLACK_TOKEN', 'Slack token', /\b(xox[baprs]-[0-9A-Za-z-]{10,72})\b/g, ['xox'], { secretGroup: 1 }),
  rule('NPM_TOKEN', 'npm access token', /\b(npm_[A-Za-z0-9]{36})\b/g, ['npm_'], { secretGroup: 1 }),
];
