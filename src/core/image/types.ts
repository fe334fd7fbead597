/**
 * The image model: tiny interfaces every back-end implements (registry, docker daemon,
 * docker-archive, oci-archive, oci-dir, dir). Modelled on go-containerregistry's
 * Image / Layer / Index split; one conformance suite (image/conformance.test-support.ts) runs against all.
 */
import type { Readable } from 'node:stream';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** OCI image config (a subset of fields we use; unknown fields are kept in `raw`). */
export interface ImageConfigFile {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config: ContainerConfig;
  rootfs: { type: string; diff_ids: string[] };
  history: HistoryEntry[];
}

export interface ContainerConfig {
  User?: string;
  Env?: string[];
  ExposedPorts?: Record<string, unknown>;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  Volumes?: Record<string, unknown> | null;
  StopSignal?: string;
  Healthcheck?: {
    Test?: string[];
    Interval?: number;
    Timeout?: number;
    Retries?: number;
    StartPeriod?: number;
  };
  Shell?: string[];
  OnBuild?: string[] | null;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export type LayerCompression = 'gzip' | 'zstd' | 'none';

export interface Layer {
  /** Digest of the blob as stored (compressed). For uncompressed layers equals diffId. */
  readonly digest: string;
  /** Digest of the uncompressed tar (from the config's rootfs.diff_ids). */
  readonly diffId: string;
  /** Size of the stored blob in bytes. */
  readonly size: number;
  readonly mediaType: string;
  readonly compression: LayerCompression;
  /** Stream of the stored blob; verified against `digest` as it streams (errors at end on mismatch). */
  compressed(): Promise<Readable>;
  /** Stream of the uncompressed tar; verified against `diffId`. */
  uncompressed(): Promise<Readable>;
}

export interface Image {
  /** Where it came from, for messages: e.g. "registry:docker.io/library/nginx:latest". */
  readonly source: string;
  /** Digest of the manifest (sha256:...). Back-ends without a manifest synthesize one deterministically. */
  readonly digest: string;
  readonly mediaType: string;
  readonly platform: Platform;
  /**
   * True for a plain directory read as an image (`dir:`): possibly a source tree, where a lock
   * file can be the only evidence of a package. Images prove installs; directories may not.
   */
  readonly directory?: boolean;
  rawManifest(): Promise<Buffer>;
  rawConfig(): Promise<Buffer>;
  config(): Promise<ImageConfigFile>;
  /** Layers bottom (base) to top, in the order they are applied. */
  layers(): Promise<Layer[]>;
}

export interface ImageIndex {
  readonly source: string;
  readonly digest: string;
  readonly mediaType: string;
  rawManifest(): Promise<Buffer>;
  manifests(): Promise<Descriptor[]>;
  image(descriptor: Descriptor): Promise<Image>;
}

/** What opening a source yields: one image, or an index to pick platforms from. */
export type ImageOrIndex = { kind: 'image'; image: Image } | { kind: 'index'; index: ImageIndex };
