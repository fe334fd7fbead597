import type { Cataloger } from '../types.js';
import { parseGoBinary } from './parse-go-binary.js';
import { hasGoBuildInfo } from './read-buildinfo.js';
import { parseGoMod } from './parse-go-mod.js';

/**
 * Go executables can sit anywhere; these globs cover the usual install places (bin/sbin/libexec
 * at any depth, /opt, and the top level where distroless images often put the one binary).
 * The parser drops non-ELF files after a 4-byte check.
 */
export const goBinaryCataloger: Cataloger = {
  id: 'go-module-binary',
  version: 1,
  ecosystem: 'go',
  parsers: [
    {
      globs: ['/**/bin/**', '/**/sbin/**', '/**/libexec/**', '/opt/**', '/*', '/app/**', '/ko-app/**'],
      parse: parseGoBinary,
      keep: hasGoBuildInfo,
    },
  ],
};

export const goModCataloger: Cataloger = {
  id: 'go-mod-file',
  version: 1,
  ecosystem: 'go',
  parsers: [{ globs: ['/**/go.mod'], declares: true, parse: parseGoMod }],
};
