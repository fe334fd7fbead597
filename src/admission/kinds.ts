/**
 * Where each workload kind keeps its pod template. One explicit table; custom kinds from the
 * admission config are appended to it.
 */
import type { CustomKind } from './config.js';

export interface WorkloadKind {
  group: string;
  kind: string;
  /** Path to the PodTemplateSpec ({metadata, spec}); empty = the object itself is the pod. */
  templatePath: readonly string[];
}

export const BUILTIN_WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { group: '', kind: 'Pod', templatePath: [] },
  { group: 'apps', kind: 'Deployment', templatePath: ['spec', 'template'] },
  { group: 'apps', kind: 'ReplicaSet', templatePath: ['spec', 'template'] },
  { group: 'apps', kind: 'StatefulSet', templatePath: ['spec', 'template'] },
  { group: 'apps', kind: 'DaemonSet', templatePath: ['spec', 'template'] },
  { group: 'batch', kind: 'Job', templatePath: ['spec', 'template'] },
  { group: 'batch', kind: 'CronJob', templatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
  { group: '', kind: 'ReplicationController', templatePath: ['spec', 'template'] },
];

export function workloadKinds(custom: readonly CustomKind[]): readonly WorkloadKind[] {
  return [
    ...BUILTIN_WORKLOAD_KINDS,
    ...custom.map((c) => ({ group: c.group, kind: c.kind, templatePath: c.podTemplatePath.split('.') })),
  ];
}

export function findWorkloadKind(
  kinds: readonly WorkloadKind[],
  group: string,
  kind: string,
): WorkloadKind | undefined {
  return kinds.find((k) => k.group === group && k.kind === kind);
}

/** Follows a template path through plain objects; undefined when any step is missing. */
export function atPath(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
