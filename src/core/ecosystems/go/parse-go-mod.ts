import type { FileInput, ParseContext, ParseResult } from '../types.js';
import { goKey, goPurl } from './parse-go-binary.js';

function stripComment(line: string): string {
  const idx = line.indexOf('//');
  return (idx >= 0 ? line.slice(0, idx) : line).trim();
}

function unquote(token: string): string {
  return token.startsWith('"') && token.endsWith('"') && token.length >= 2 ? token.slice(1, -1) : token;
}

/**
 * go.mod of a source tree: what the build would use (requires with replacements applied). Less
 * certain than a binary's build info: nothing proves it was built, hence `confidence: 'medium'`.
 */
export async function parseGoMod(file: FileInput, _context: ParseContext): Promise<ParseResult> {
  const result: ParseResult = { packages: [], relationships: [], problems: [] };
  let module: string | undefined;
  const requires = new Map<string, { version: string; indirect: boolean }>();
  const replaces = new Map<string, { path: string; version: string }>();
  let block: string | undefined;
  for (const rawLine of file.contents.toString('utf8').split(/\r?\n/)) {
    const indirect = /\/\/\s*indirect/.test(rawLine);
    const line = stripComment(rawLine);
    if (line === '') continue;
    if (block !== undefined && line === ')') {
      block = undefined;
      continue;
    }
    const open = /^(require|replace|exclude|retract|tool|godebug|ignore)\s*\($/.exec(line);
    if (open !== null) {
      block = open[1];
      continue;
    }
    const m = /^(module|require|replace|go|toolchain|exclude|retract)\s+(.*)$/.exec(line);
    const directive = block ?? m?.[1];
    const rest = block !== undefined ? line : (m?.[2] ?? '');
    const tokens = rest.split(/\s+/).map(unquote);
    if (directive === 'module') module = tokens[0];
    else if (directive === 'require' && tokens.length >= 2)
      requires.set(tokens[0]!, { version: tokens[1]!, indirect });
    else if (directive === 'replace') {
      const arrow = tokens.indexOf('=>');
      if (arrow > 0 && tokens[arrow + 1] !== undefined)
        replaces.set(tokens[0]!, { path: tokens[arrow + 1]!, version: tokens[arrow + 2] ?? '' });
    }
  }
  if (module === undefined) {
    result.problems.push(`${file.path}: no module directive`);
    return result;
  }
  for (const [path, req] of requires) {
    const rep = replaces.get(path);
    const useRep = rep !== undefined && rep.version !== '';
    const name = useRep ? rep.path : path;
    const version = useRep ? rep.version : req.version;
    const metadata: Record<string, unknown> = { path: file.path, module, confidence: 'medium' };
    if (req.indirect) metadata.indirect = true;
    if (rep !== undefined) metadata.replace = { from: `${path}@${req.version}`, to: rep };
    try {
      result.packages.push({
        name,
        version,
        type: 'go',
        purl: goPurl(name, version),
        licenses: [],
        metadata,
      });
      result.relationships.push({ from: goKey(module, ''), to: goKey(name, version), type: 'depends-on' });
    } catch (err) {
      result.problems.push(`${file.path}: bad module path ${path}: ${(err as Error).message}`);
    }
  }
  // The module itself has no version in its own go.mod; relationships start from it anyway.
  try {
    result.packages.unshift({
      name: module,
      version: '',
      type: 'go',
      purl: goPurl(module, ''),
      licenses: [],
      metadata: { path: file.path, mainModule: true, confidence: 'medium' },
    });
  } catch (err) {
    result.problems.push(`${file.path}: bad module path ${module}: ${(err as Error).message}`);
  }
  return result;
}
