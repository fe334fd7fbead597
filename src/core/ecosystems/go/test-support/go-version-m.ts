import { execFileSync } from 'node:child_process';

/** `go version -m` is the reference reader of Go build info. */
export function goVersionM(binary: string): { goVersion: string; modules: string[]; path?: string } {
  const out = execFileSync('go', ['version', '-m', binary], { encoding: 'utf8' });
  const lines = out.split('\n');
  const goVersion = (lines[0] ?? '').split(': ')[1]?.trim() ?? '';
  const modules: string[] = [];
  let path: string | undefined;
  for (const line of lines.slice(1)) {
    const f = line.trim().split('\t');
    if (f[0] === 'path') path = f[1];
    if (f[0] === 'mod' || f[0] === 'dep') modules.push(`${f[1]}@${f[2]}`);
    // a replacement with a version is what was compiled
    if (f[0] === '=>' && f[2] !== undefined && f[2] !== '' && f[2] !== '(devel)')
      modules[modules.length - 1] = `${f[1]}@${f[2]}`;
  }
  return { goVersion, modules: modules.sort(), ...(path !== undefined && { path }) };
}
