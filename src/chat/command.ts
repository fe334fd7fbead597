/**
 * The chat commands, parsed from the text after the slash command (`/portcullis vuln CVE-…`) or
 * a generic webhook's `command` and `text`. Pure; every answer starts from one of these.
 */
export type ChatCommand =
  | { kind: 'vuln'; id: string }
  | { kind: 'package'; name: string; version?: string }
  | { kind: 'image'; reference: string }
  | { kind: 'scan'; reference: string }
  | { kind: 'help' }
  | { kind: 'invalid'; message: string };

export const CHAT_VERBS = ['vuln', 'package', 'image', 'scan', 'help'] as const;

export const CHAT_USAGE = [
  '`vuln CVE-2024-1234`: which images are affected, worst first',
  '`package NAME [VERSION]`: which images hold a package',
  '`image REF`: verdict and finding counts of an image',
  '`scan REF`: queue an analysis; the result follows when it is done',
].join('\n');

const VULN_ID = /^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9:._-]{0,126}$/;
const TOKEN = /^[^\s]{1,512}$/;

/** `verb` may be empty, then the first word of `text` is the verb. */
export function parseChatCommand(verb: string, text: string): ChatCommand {
  let words = text.trim().split(/\s+/).filter(Boolean);
  let name = verb.trim().replace(/^\//, '').toLowerCase();
  if (name === '' || !(CHAT_VERBS as readonly string[]).includes(name)) {
    name = (words[0] ?? 'help').toLowerCase();
    words = words.slice(1);
  }
  const invalid = (message: string): ChatCommand => ({
    kind: 'invalid',
    message: `${message}\n${CHAT_USAGE}`,
  });
  const [first, second, ...rest] = words;
  switch (name) {
    case 'help':
      return { kind: 'help' };
    case 'vuln':
      if (!first || second || !VULN_ID.test(first)) return invalid('`vuln` takes one vulnerability id.');
      return { kind: 'vuln', id: /^cve-/i.test(first) ? first.toUpperCase() : first };
    case 'package':
      if (!first || rest.length > 0 || !TOKEN.test(first))
        return invalid('`package` takes a name and an optional version.');
      return { kind: 'package', name: first, ...(second ? { version: second } : {}) };
    case 'image':
    case 'scan':
      if (!first || second || !TOKEN.test(first)) return invalid(`\`${name}\` takes one image reference.`);
      return { kind: name, reference: first };
    default:
      return invalid(`Unknown command \`${name}\`.`);
  }
}
