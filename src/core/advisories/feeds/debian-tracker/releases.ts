/** Debian release codenames → version numbers, for namespaces like `debian:12`. */
const CODENAMES: Readonly<Record<string, string>> = {
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
  // sid never gets a number; matchers key it as its own namespace.
  sid: 'unstable',
};

export function debianNamespace(codename: string): string | undefined {
  const version = CODENAMES[codename];
  return version === undefined ? undefined : `debian:${version}`;
}
