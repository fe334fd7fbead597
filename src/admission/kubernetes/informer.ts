/**
 * List + watch of one Kubernetes collection kept in a memory map (ADR 0028), the reflector
 * pattern of client-go: LIST, then WATCH from the list's resourceVersion; a stream the server
 * ends is resumed from the last seen version (bookmarks keep it recent); `410 Gone` (as the
 * answer or as an ERROR event) means the version was compacted away, so the collection is
 * listed again; any other failure retries with backoff. Readers never wait on the API server:
 * they see whatever the map holds.
 */
import { backoffDelay } from '../change-listener.js';
import { KubeApiError, type KubeClient, type WatchEvent } from './client.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  resourceVersion?: string;
}

export interface InformerOptions<T> {
  client: KubeClient;
  /** Collection path, e.g. `/api/v1/namespaces`. */
  path: string;
  /** The object's value, or undefined (and a reason) when it is not valid. */
  parse(object: Record<string, unknown>): { value: T } | { invalid: string };
  onError(err: Error, attempt: number): void;
  /** An object the map leaves out because it is not valid. */
  onInvalid?(name: string, reason: string): void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Asks the server to end each watch after this long (it is then resumed). */
  watchTimeoutSeconds?: number;
}

class Gone extends Error {}

function metaOf(object: Record<string, unknown>): ObjectMeta {
  const meta = (object['metadata'] ?? {}) as Record<string, unknown>;
  return {
    name: typeof meta['name'] === 'string' ? meta['name'] : '',
    ...(typeof meta['namespace'] === 'string' ? { namespace: meta['namespace'] } : {}),
    ...(typeof meta['resourceVersion'] === 'string' ? { resourceVersion: meta['resourceVersion'] } : {}),
  };
}

const keyOf = (meta: ObjectMeta): string => (meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name);

export class Informer<T> {
  /** Key: name (cluster-scoped) or namespace/name. */
  readonly items = new Map<string, T>();
  /** Resolves after the first successful list. */
  readonly synced: Promise<void>;
  private markSynced: () => void = () => undefined;
  private readonly controller = new AbortController();
  private readonly listeners = new Set<() => void>();
  private running: Promise<void> | undefined;
  private failures = 0;
  /** Lists made so far (the first and every relist after 410 Gone). */
  lists = 0;

  constructor(private readonly options: InformerOptions<T>) {
    this.synced = new Promise((resolve) => (this.markSynced = resolve));
  }

  /** Calls `listener` after every change of the map. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private put(object: Record<string, unknown>): void {
    const meta = metaOf(object);
    const parsed = this.options.parse(object);
    if ('value' in parsed) this.items.set(keyOf(meta), parsed.value);
    else {
      this.items.delete(keyOf(meta));
      this.options.onInvalid?.(meta.name, parsed.invalid);
    }
  }

  private async list(): Promise<string> {
    const list = await this.options.client.get(this.options.path, this.controller.signal);
    const items = Array.isArray(list['items']) ? (list['items'] as Record<string, unknown>[]) : [];
    this.items.clear();
    for (const item of items) this.put(item);
    this.lists++;
    this.markSynced();
    this.changed();
    return metaOf(list).resourceVersion ?? '';
  }

  private apply(event: WatchEvent, version: { rv: string }): void {
    if (event.type === 'ERROR') {
      const code = Number(event.object['code']);
      if (code === 410) throw new Gone(String(event.object['message'] ?? 'resource version too old'));
      throw new KubeApiError(code || 500, `watch ${this.options.path}: ${String(event.object['message'])}`);
    }
    const meta = metaOf(event.object);
    if (meta.resourceVersion) version.rv = meta.resourceVersion;
    this.failures = 0;
    if (event.type === 'ADDED' || event.type === 'MODIFIED') this.put(event.object);
    else if (event.type === 'DELETED') this.items.delete(keyOf(meta));
    else return; // BOOKMARK: only the version moves
    this.changed();
  }

  private async run(): Promise<void> {
    const { signal } = this.controller;
    // Under undici's 300 s body timeout: a quiet watch is ended by the server, not by the client.
    const timeout = this.options.watchTimeoutSeconds ?? 240;
    let version: { rv: string } | undefined;
    while (!signal.aborted) {
      try {
        version ??= { rv: await this.list() };
        const current = version;
        const query = `watch=true&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${encodeURIComponent(current.rv)}`;
        await this.options.client.watch(`${this.options.path}?${query}`, signal, (event) =>
          this.apply(event, current),
        );
        this.failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        const gone = err instanceof Gone || (err instanceof KubeApiError && err.status === 410);
        version = gone ? undefined : version;
        // A first 410 lists again at once; a 410 again before any event backs off like a failure.
        if (gone && this.failures++ === 0) continue;
        if (!gone) this.failures++;
        this.options.onError(err as Error, this.failures);
        const delay = backoffDelay(
          this.failures - 1,
          this.options.initialBackoffMs ?? 200,
          this.options.maxBackoffMs ?? 30_000,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  }
}
