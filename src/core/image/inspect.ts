import { formatPlatform } from './platform.js';
import type { HistoryEntry, Image } from './types.js';

export interface InspectedLayer {
  index: number;
  digest: string;
  diffId: string;
  size: number;
  mediaType: string;
  /** The history step that created this layer, when the config records one. */
  createdBy?: string;
}

export interface InspectReport {
  source: string;
  digest: string;
  mediaType: string;
  platform: string;
  created?: string;
  config: {
    user: string;
    env: string[];
    exposedPorts: string[];
    entrypoint: string[];
    cmd: string[];
    workingDir: string;
    labels: Record<string, string>;
    healthcheck?: string[];
    stopSignal?: string;
    volumes: string[];
  };
  history: HistoryEntry[];
  layers: InspectedLayer[];
}

/**
 * Summarizes an image. Environment variables are reported by name only: values often hold
 * secrets, and the secrets scanner (not inspect) is the place to look at them.
 */
export async function inspectImage(image: Image): Promise<InspectReport> {
  const [config, layers] = await Promise.all([image.config(), image.layers()]);
  const c = config.config ?? {};
  const layerHistory = (config.history ?? []).filter((h) => !h.empty_layer);
  const report: InspectReport = {
    source: image.source,
    digest: image.digest,
    mediaType: image.mediaType,
    platform: formatPlatform(image.platform),
    config: {
      user: c.User ?? '',
      env: (c.Env ?? []).map((e) => e.split('=', 1)[0] ?? e),
      exposedPorts: Object.keys(c.ExposedPorts ?? {}).sort(),
      entrypoint: c.Entrypoint ?? [],
      cmd: c.Cmd ?? [],
      workingDir: c.WorkingDir ?? '',
      labels: { ...(c.Labels ?? {}) },
      volumes: Object.keys(c.Volumes ?? {}).sort(),
    },
    history: config.history ?? [],
    layers: layers.map((l, index) => {
      const createdBy = layerHistory[index]?.created_by;
      return {
        index,
        digest: l.digest,
        diffId: l.diffId,
        size: l.size,
        mediaType: l.mediaType,
        ...(createdBy ? { createdBy } : {}),
      };
    }),
  };
  if (config.created) report.created = config.created;
  if (c.Healthcheck?.Test) report.config.healthcheck = c.Healthcheck.Test;
  if (c.StopSignal) report.config.stopSignal = c.StopSignal;
  return report;
}
