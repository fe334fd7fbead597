/**
 * zod schema for Alpine secdb JSON (`https://secdb.alpinelinux.org/v3.NN/{main,community}.json`):
 * `packages[].pkg{name, secfixes{"<fixed apk version>": [ids]}}`. Packages are validated one by
 * one so a malformed package entry is skipped alone.
 */
import { z } from 'zod';

export const secdbDocument = z.object({
  distroversion: z.string().regex(/^v\d+\.\d+$/, 'distroversion must look like v3.18'),
  reponame: z.string(),
  urlprefix: z.string().optional(),
  apkurl: z.string().optional(),
  archs: z.array(z.string()).optional(),
  // An empty `packages:` in the YAML source becomes [] (or null in older conversions).
  packages: z.array(z.unknown()).nullable(),
});

export const secdbPackage = z.object({
  pkg: z.object({
    name: z.string().min(1),
    secfixes: z.record(z.string(), z.array(z.string()).nullable()).nullish(),
  }),
});
