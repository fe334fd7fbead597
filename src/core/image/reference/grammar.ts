/**
 * The reference grammar of distribution/reference (the package Docker, containerd and the
 * registry itself use), written out as regular expressions so we accept and reject exactly
 * the strings Docker does:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | '[' IPv6address ']'
 *   domain-name      := domain-component ['.' domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   remote-name      := path-component ['/' path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := algorithm ":" hex
 */

const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
// Bracketed IPv6 as the newer distribution/reference accepts; zone ids are not allowed.
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainName}|${ipv6})`;
const domain = `${host}(?::[0-9]+)?`;

const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const nameWithDomain = `(?:${domain}/)?${remoteName}`;

/** Whole reference, capturing name, tag and digest. */
export const REFERENCE_RE = new RegExp(`^(${nameWithDomain})(?::(${tag}))?(?:@(${digest}))?$`);
export const DOMAIN_RE = new RegExp(`^${domain}$`);
export const REMOTE_NAME_RE = new RegExp(`^${remoteName}$`);
export const TAG_RE = new RegExp(`^${tag}$`);
/** A bare 64-hex image id, which Docker refuses as a repository name. */
export const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

/** The longest repository path (without the domain) distribution accepts. */
export const NAME_TOTAL_LENGTH_MAX = 255;

/** Digest algorithms go-digest registers, with the hex length each one requires. */
export const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = Object.freeze({
  sha256: 64,
  sha384: 96,
  sha512: 128,
});
