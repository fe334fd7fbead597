/**
 * Parsing of manifests, indexes and image configs at the edge: untrusted JSON in, typed
 * values out, with errors that name the document and the field.
 */
import { z } from 'zod';
import { PortcullisError } from '../errors.js';
import { INDEX_MEDIA_TYPES, MANIFEST_MEDIA_TYPES, MEDIA, SCHEMA1_MEDIA_TYPES } from './media-types.js';
import type { Descriptor, ImageConfigFile } from './types.js';

const digest = z.string().regex(/^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/, 'not a sha256/sha512 digest');

const platformSchema = z.object({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
});

const descriptorSchema = z.object({
  mediaType: z.string(),
  digest,
  size: z.number().int().nonnegative(),
  platform: platformSchema.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  urls: z.array(z.string()).optional(),
});

const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations: z.record(z.string(), z.string()).optional(),
});

const configSchema = z.looseObject({
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  config: z
    .looseObject({
      User: z.string().optional(),
      Env: z.array(z.string()).nullish(),
      ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
      Entrypoint: z.array(z.string()).nullish(),
      Cmd: z.array(z.string()).nullish(),
      WorkingDir: z.string().optional(),
      Labels: z.record(z.string(), z.string()).nullish(),
      Volumes: z.record(z.string(), z.unknown()).nullish(),
      StopSignal: z.string().optional(),
      Healthcheck: z
        .looseObject({
          Test: z.array(z.string()).nullish(),
          Interval: z.number().optional(),
          Timeout: z.number().optional(),
          Retries: z.number().optional(),
          StartPeriod: z.number().optional(),
        })
        .nullish(),
      Shell: z.array(z.string()).nullish(),
      OnBuild: z.array(z.string()).nullish(),
    })
    .nullish(),
  rootfs: z.object({ type: z.string(), diff_ids: z.array(digest) }),
  history: z
    .array(
      z.looseObject({
        created: z.string().optional(),
        created_by: z.string().optional(),
        author: z.string().optional(),
        comment: z.string().optional(),
        empty_layer: z.boolean().optional(),
      }),
    )
    .nullish(),
});

export type ParsedManifest = {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
};
export type ParsedIndex = { kind: 'index'; mediaType: string; manifests: Descriptor[] };

function parseJson(raw: Buffer | string, what: string): unknown {
  try {
    return JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    throw new PortcullisError('MANIFEST_INVALID', `${what} is not valid JSON`, { cause: err });
  }
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

function toDescriptor(d: z.infer<typeof descriptorSchema>): Descriptor {
  const out: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.platform) {
    out.platform = { os: d.platform.os, architecture: d.platform.architecture };
    if (d.platform.variant) out.platform.variant = d.platform.variant;
    if (d.platform['os.version']) out.platform.osVersion = d.platform['os.version'];
  }
  if (d.annotations) out.annotations = d.annotations;
  if (d.urls) out.urls = d.urls;
  return out;
}

/**
 * Parses a manifest or an index. `headerMediaType` is the registry's Content-Type (or the
 * descriptor's media type) when known; the document's own `mediaType` field wins when present.
 */
export function parseManifestDocument(
  raw: Buffer | string,
  what: string,
  headerMediaType?: string,
): ParsedManifest | ParsedIndex {
  const json = parseJson(raw, what);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PortcullisError('MANIFEST_INVALID', `${what} is not a JSON object`);
  }
  const doc = json as Record<string, unknown>;
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  if (doc.schemaVersion === 1 || SCHEMA1_MEDIA_TYPES.includes(declared ?? headerMediaType ?? '')) {
    throw new PortcullisError(
      'SCHEMA1_MANIFEST',
      `${what} is a Docker schema 1 manifest, which is deprecated and not supported; push the image again with a current client to get schema 2 or OCI`,
    );
  }
  const mediaType = declared ?? headerMediaType ?? ('manifests' in doc ? MEDIA.ociIndex : MEDIA.ociManifest);
  const isIndex =
    INDEX_MEDIA_TYPES.includes(mediaType) || (!declared && 'manifests' in doc && !('layers' in doc));
  if (isIndex) {
    const result = indexSchema.safeParse(doc);
    if (!result.success)
      throw new PortcullisError('MANIFEST_INVALID', `${what}: invalid index: ${issuesText(result.error)}`);
    return { kind: 'index', mediaType, manifests: result.data.manifests.map(toDescriptor) };
  }
  if (!MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    throw new PortcullisError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${what} has media type ${mediaType}, which is not an image manifest`,
      {
        details: { mediaType },
      },
    );
  }
  const result = manifestSchema.safeParse(doc);
  if (!result.success)
    throw new PortcullisError('MANIFEST_INVALID', `${what}: invalid manifest: ${issuesText(result.error)}`);
  return {
    kind: 'manifest',
    mediaType,
    config: toDescriptor(result.data.config),
    layers: result.data.layers.map(toDescriptor),
  };
}

export function parseImageConfig(raw: Buffer | string, what: string): ImageConfigFile {
  const result = configSchema.safeParse(parseJson(raw, what));
  if (!result.success)
    throw new PortcullisError(
      'MANIFEST_INVALID',
      `${what}: invalid image config: ${issuesText(result.error)}`,
    );
  const d = result.data;
  const c = d.config ?? {};
  const out: ImageConfigFile = {
    architecture: d.architecture,
    os: d.os,
    config: {
      ...(c.User !== undefined ? { User: c.User } : {}),
      ...(c.Env ? { Env: c.Env } : {}),
      ...(c.ExposedPorts ? { ExposedPorts: c.ExposedPorts } : {}),
      ...(c.Entrypoint ? { Entrypoint: c.Entrypoint } : {}),
      ...(c.Cmd ? { Cmd: c.Cmd } : {}),
      ...(c.WorkingDir !== undefined ? { WorkingDir: c.WorkingDir } : {}),
      ...(c.Labels ? { Labels: c.Labels } : {}),
      ...(c.Volumes ? { Volumes: c.Volumes } : {}),
      ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
      ...(c.Healthcheck
        ? {
            Healthcheck: {
              ...(c.Healthcheck.Test ? { Test: c.Healthcheck.Test } : {}),
              ...(c.Healthcheck.Interval !== undefined ? { Interval: c.Healthcheck.Interval } : {}),
              ...(c.Healthcheck.Timeout !== undefined ? { Timeout: c.Healthcheck.Timeout } : {}),
              ...(c.Healthcheck.Retries !== undefined ? { Retries: c.Healthcheck.Retries } : {}),
              ...(c.Healthcheck.StartPeriod !== undefined ? { StartPeriod: c.Healthcheck.StartPeriod } : {}),
            },
          }
        : {}),
      ...(c.Shell ? { Shell: c.Shell } : {}),
      ...(c.OnBuild ? { OnBuild: c.OnBuild } : {}),
    },
    rootfs: d.rootfs,
    history: (d.history ?? []).map((h) => ({
      ...(h.created !== undefined ? { created: h.created } : {}),
      ...(h.created_by !== undefined ? { created_by: h.created_by } : {}),
      ...(h.author !== undefined ? { author: h.author } : {}),
      ...(h.comment !== undefined ? { comment: h.comment } : {}),
      ...(h.empty_layer !== undefined ? { empty_layer: h.empty_layer } : {}),
    })),
  };
  if (d.variant) out.variant = d.variant;
  if (d.created) out.created = d.created;
  if (d.author) out.author = d.author;
  return out;
}
