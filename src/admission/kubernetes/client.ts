/**
 * A minimal in-cluster Kubernetes API client (ADR 0028): the pod's service-account token as a
 * bearer, TLS verified against the service-account CA, JSON reads, newline-delimited watch
 * streams and JSON creates. The token file is read again for every request, so a rotated
 * projected token is picked up without a restart.
 */
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { PortcullisError } from '../../core/errors.js';

export interface KubeConnection {
  /** `https://host:port` of the API server (KUBERNETES_SERVICE_HOST/PORT in a pod). */
  apiUrl: string;
  tokenFile: string;
  caFile: string;
}

/** A refused or failed API request; `status` is the HTTP status (0 = no answer). */
export class KubeApiError extends PortcullisError {
  constructor(
    readonly status: number,
    message: string,
    cause?: unknown,
  ) {
    super(status === 404 ? 'NOT_FOUND' : 'IO', message, { cause, details: { status } });
    this.name = 'KubeApiError';
  }
}

/** One event of a watch stream (`type` ADDED, MODIFIED, DELETED, BOOKMARK or ERROR). */
export interface WatchEvent {
  type: string;
  object: Record<string, unknown>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const MAX_LINE_BYTES = 4 * 1024 * 1024;

export class KubeClient {
  private readonly agent: Promise<Agent>;

  constructor(private readonly connection: KubeConnection) {
    this.agent = readFile(connection.caFile, 'utf8').then(
      (ca) => new Agent({ connect: { ca }, keepAliveTimeout: 30_000 }),
    );
    // Surfaced by the first request instead.
    this.agent.catch(() => undefined);
  }

  private async headers(contentType: string | undefined): Promise<Record<string, string>> {
    const token = (await readFile(this.connection.tokenFile, 'utf8')).trim();
    return {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      ...(contentType ? { 'content-type': contentType } : {}),
    };
  }

  private async send(method: 'GET' | 'POST' | 'PATCH', path: string, signal: AbortSignal, body?: unknown) {
    try {
      return await request(`${this.connection.apiUrl}${path}`, {
        method,
        dispatcher: await this.agent,
        headers: await this.headers(
          body === undefined
            ? undefined
            : method === 'PATCH'
              ? 'application/merge-patch+json'
              : 'application/json',
        ),
        signal,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new KubeApiError(0, `${method} ${path}: ${(err as Error).message}`, err);
    }
  }

  private static async fail(path: string, res: Awaited<ReturnType<typeof request>>): Promise<never> {
    const text = (await res.body.text().catch(() => '')).slice(0, 300);
    throw new KubeApiError(res.statusCode, `${path}: HTTP ${res.statusCode} ${text}`);
  }

  async get<T = Record<string, unknown>>(path: string, signal: AbortSignal): Promise<T> {
    const res = await this.send('GET', path, signal);
    if (res.statusCode !== 200) return KubeClient.fail(path, res);
    const length = Number(res.headers['content-length'] ?? 0);
    if (length > MAX_BODY_BYTES) {
      await res.body.dump();
      throw new KubeApiError(res.statusCode, `${path}: answer larger than ${MAX_BODY_BYTES} bytes`);
    }
    return (await res.body.json()) as T;
  }

  /** POST to a collection, or PATCH (JSON merge patch) an object. */
  async write(method: 'POST' | 'PATCH', path: string, body: unknown, signal: AbortSignal): Promise<void> {
    const res = await this.send(method, path, signal, body);
    if (res.statusCode !== 201 && res.statusCode !== 200 && res.statusCode !== 202)
      return KubeClient.fail(path, res);
    await res.body.dump();
  }

  /** Calls `onEvent` for each line of the watch; resolves when the server ends the stream. */
  async watch(path: string, signal: AbortSignal, onEvent: (event: WatchEvent) => void): Promise<void> {
    const res = await this.send('GET', path, signal);
    if (res.statusCode !== 200) return KubeClient.fail(path, res);
    let pending = '';
    for await (const chunk of res.body) {
      pending += (chunk as Buffer).toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line !== '') onEvent(JSON.parse(line) as WatchEvent);
        newline = pending.indexOf('\n');
      }
      if (pending.length > MAX_LINE_BYTES)
        throw new KubeApiError(200, `${path}: a watch event is larger than ${MAX_LINE_BYTES} bytes`);
    }
    if (pending.trim() !== '') onEvent(JSON.parse(pending) as WatchEvent);
  }

  async close(): Promise<void> {
    await (await this.agent.catch(() => undefined))?.close();
  }
}
