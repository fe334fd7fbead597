/**
 * The archive document: everything archiving takes out of the working set for one account's
 * image (the analysis, the account's policy evaluations, tags and annotations), as JSON
 * compressed with Brotli (ADR 0025). The format name travels with the bytes, so a later
 * version can read older archives.
 */
import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';
import { PortcullisError } from '../core/errors.js';

export const ARCHIVE_FORMAT = 'portcullis.archive.v1+json+br';

/** Refuse to inflate past this: a stored archive is our own output, but bound it anyway. */
const MAX_INFLATED_BYTES = 512 * 1024 * 1024;

export interface ArchivedEvaluation {
  tag: string;
  policyId: string;
  status: 'pass' | 'fail';
  finalAction: string;
  result: unknown;
  createdAt: string;
}

export interface ArchiveDocument {
  imageDigest: string;
  parentDigest: string | null;
  imageType: string;
  annotations: Record<string, string>;
  dockerfile: string | null;
  analyzedAt: string | null;
  createdAt: string;
  tags: {
    registry: string;
    repo: string;
    tag: string;
    pullDigest: string | null;
    createdAt: string;
    tagDetectedAt: string;
  }[];
  analysis: {
    imageId: string;
    analyzerVersion: string;
    metadata: unknown;
    sbom: unknown;
    findings: unknown;
    createdAt: string;
  };
  evaluations: ArchivedEvaluation[];
}

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

export async function encodeArchive(doc: ArchiveDocument): Promise<Uint8Array> {
  const json = Buffer.from(JSON.stringify(doc), 'utf8');
  return compress(json, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: 9,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
}

export async function decodeArchive(format: string, content: Uint8Array): Promise<ArchiveDocument> {
  if (format !== ARCHIVE_FORMAT) {
    throw new PortcullisError('CORRUPT_DATABASE', `unknown archive format ${format}`);
  }
  let json: Buffer;
  try {
    json = await decompress(content, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (cause) {
    throw new PortcullisError('CORRUPT_DATABASE', 'the archived analysis cannot be decompressed', { cause });
  }
  const doc = JSON.parse(json.toString('utf8')) as ArchiveDocument;
  if (typeof doc.imageDigest !== 'string' || typeof doc.analysis?.imageId !== 'string') {
    throw new PortcullisError('CORRUPT_DATABASE', 'the archived analysis is incomplete');
  }
  return doc;
}
