/**
 * The UI is one more client of /v1: state changes (and the reads whose answer the API already
 * shapes) go through `app.inject` as the session's user, so validation, account scoping and
 * admin checks are exactly the API's.
 */
import type { FastifyInstance } from 'fastify';

export interface ApiAnswer {
  status: number;
  body: unknown;
  raw: Buffer;
  contentType: string;
  /** The API's Content-Security-Policy header, for an answer the UI passes on as it is. */
  contentSecurityPolicy: string | undefined;
}

export type InternalHeaders = (accountName: string, username: string) => Record<string, string>;

export class ApiClient {
  constructor(
    private readonly app: FastifyInstance,
    private readonly headers: Record<string, string>,
  ) {}

  async call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown): Promise<ApiAnswer> {
    const res = await this.app.inject({
      method,
      url: `/v1${path}`,
      headers: { ...this.headers, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    const contentType = String(res.headers['content-type'] ?? '');
    let body: unknown = res.body;
    if (contentType.includes('json') && res.body !== '') {
      try {
        body = JSON.parse(res.body) as unknown;
      } catch {
        body = res.body;
      }
    }
    const csp = res.headers['content-security-policy'];
    return {
      status: res.statusCode,
      body,
      raw: res.rawPayload,
      contentType,
      contentSecurityPolicy: typeof csp === 'string' ? csp : undefined,
    };
  }

  /** The API's message of a refused call (Anchore's error body), or the status. */
  static message(answer: ApiAnswer): string {
    const body = answer.body as { message?: unknown } | null;
    return typeof body?.message === 'string' ? body.message : `HTTP ${answer.status}`;
  }
}
