/**
 * The webhook's in-cluster Kubernetes side (ADR 0028), when it runs in a pod: watched namespace
 * labels for rules with `namespaceLabels`, WhiteListItem custom resources as exceptions next to
 * the API's, and decisions mirrored as Audit objects. Nothing here is on a decision's path to
 * the API server: decisions read memory maps and push to a bounded queue.
 */
import type pino from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { StoreChanges } from '../admission/change-feed.js';
import { needsNamespaceLabels, type AdmissionConfig } from '../admission/config.js';
import { AuditObjectMirror } from '../admission/kubernetes/audit-objects.js';
import { KubeClient } from '../admission/kubernetes/client.js';
import { Informer } from '../admission/kubernetes/informer.js';
import {
  namespaceLabelsOf,
  NAMESPACES_PATH,
  WatchedNamespaceLabels,
  type Labels,
} from '../admission/kubernetes/namespace-labels.js';
import { CombinedExceptions, exceptionOf, WHITELIST_PATH } from '../admission/kubernetes/whitelist-items.js';
import type {
  AdmissionException,
  AuditSink,
  ExceptionSource,
  NamespaceLabelSource,
} from '../admission/ports.js';
import type { KubernetesApiConfig } from '../config/kubernetes.js';

const AUDIT_BATCH = 10;
const AUDIT_WRITE_TIMEOUT_MS = 5_000;

export interface KubernetesPorts {
  namespaceLabels?: NamespaceLabelSource;
  exceptions: ExceptionSource;
  audit: AuditSink;
  /** Writes the queued Audit objects, then stops the watches. */
  stop(): Promise<void>;
}

export function connectKubernetes(
  api: KubernetesApiConfig | undefined,
  config: Readonly<AdmissionConfig>,
  base: { exceptions: ExceptionSource; audit: AuditSink },
  deps: { log: pino.Logger; changes: StoreChanges; metrics: Registry },
): KubernetesPorts {
  if (!api) return { ...base, stop: async () => undefined };
  const { log, changes } = deps;
  const client = new KubeClient(api);
  const informers: Array<Informer<unknown>> = [];
  const settings = config.kubernetes;
  let namespaceLabels: NamespaceLabelSource | undefined;
  if (needsNamespaceLabels(config)) {
    const namespaces = new Informer<Labels>({
      client,
      path: NAMESPACES_PATH,
      parse: namespaceLabelsOf,
      onError: (err, attempt) => log.warn({ err, attempt }, 'namespace watch failed; retrying'),
    });
    namespaces.start();
    informers.push(namespaces);
    namespaceLabels = new WatchedNamespaceLabels(namespaces, client, settings.namespaceLookupMs);
  }
  let exceptions = base.exceptions;
  if (settings.whiteListItems) {
    const items = new Informer<AdmissionException>({
      client,
      path: WHITELIST_PATH,
      parse: exceptionOf,
      onError: (err, attempt) => log.warn({ err, attempt }, 'WhiteListItem watch failed; retrying'),
      onInvalid: (name, reason) => log.info({ name, reason }, 'WhiteListItem ignored: not valid'),
    });
    // Cached exception lookups are dropped at once, like a change in the store.
    items.onChange(() => changes.emit());
    items.start();
    informers.push(items);
    exceptions = new CombinedExceptions(base.exceptions, items);
  }
  let audit = base.audit;
  let mirror: AuditObjectMirror | undefined;
  if (settings.auditObjects) {
    const dropped = new Counter({
      name: 'portcullis_admission_audit_objects_dropped_total',
      help: 'Audit custom resources not written (queue full or refused by the API server)',
      registers: [deps.metrics],
    });
    const written = new Counter({
      name: 'portcullis_admission_audit_objects_written_total',
      help: 'Audit custom resources created or updated',
      registers: [deps.metrics],
    });
    mirror = new AuditObjectMirror(client, {
      maxQueue: settings.auditQueue,
      batch: AUDIT_BATCH,
      timeoutMs: AUDIT_WRITE_TIMEOUT_MS,
      onDropped: (n) => dropped.inc(n),
      onWritten: (n) => written.inc(n),
      onError: (err) => log.warn({ err }, 'Audit object not written'),
    });
    audit = mirror.wrap(base.audit);
  }
  return {
    ...(namespaceLabels ? { namespaceLabels } : {}),
    exceptions,
    audit,
    async stop() {
      await mirror?.close();
      await Promise.all(informers.map((i) => i.stop()));
      await client.close();
    },
  };
}
