import { goBinaryCataloger } from '../go/index.js';
import type { Cataloger } from '../types.js';
import { parseCargoAuditable } from './parse-auditable.js';
import { parseCargoLock } from './parse-cargo-lock.js';

export const rustCargoLockCataloger: Cataloger = {
  id: 'rust-cargo-lock',
  version: 1,
  ecosystem: 'rust',
  parsers: [{ globs: ['/**/Cargo.lock'], declares: true, parse: parseCargoLock }],
};

/** Binaries built with cargo-auditable; same install places as Go binaries. */
export const rustAuditableCataloger: Cataloger = {
  id: 'rust-cargo-auditable-binary',
  version: 1,
  ecosystem: 'rust',
  parsers: [
    {
      globs: goBinaryCataloger.parsers[0]?.globs ?? [],
      parse: parseCargoAuditable,
      // cargo-auditable stores its data in an ELF section named .dep-v0.
      keep: (contents) =>
        contents.length >= 64 && contents.readUInt32BE(0) === 0x7f454c46 && contents.includes('.dep-v0'),
    },
  ],
};
