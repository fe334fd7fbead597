/**
 * Runs catalog-child.ts in a child process per analysis: the pull and catalog never block the
 * API's event loop, an abort (lease lost, shutdown) kills the child, and memory is returned.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PortcullisError, type ErrorCode } from '../core/errors.js';
import type { ImageConfigFile } from '../core/image/types.js';
import type { AnalyzeRequest } from '../core/pipeline/index.js';
import type { SbomDocument } from '../core/sbom/document.js';
import type { PlainEnvironment, PlainRequest } from './image-access.js';

/**
 * The pipeline's analyze request without what cannot cross a process boundary: the
 * environment and request in their plain forms (`image-access.ts`), credentials as plain
 * keychain entries.
 */
export interface CatalogRequest extends Omit<
  AnalyzeRequest,
  'signal' | 'observer' | 'environment' | 'image'
> {
  environment: PlainEnvironment;
  image: PlainRequest;
}

export type CatalogReply =
  | {
      ok: true;
      imageDigest: string;
      configDigest: string;
      document: SbomDocument;
      retrieved: [string, Buffer][];
      config: ImageConfigFile;
      manifest: string;
      compressedSize: number;
    }
  | { ok: false; error: { code: ErrorCode; message: string } };

export type CatalogResult = Extract<CatalogReply, { ok: true }>;

const CHILD = fileURLToPath(
  new URL(`./catalog-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url),
);

export function catalogInChildProcess(request: CatalogRequest, signal: AbortSignal): Promise<CatalogResult> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], {
      execArgv: CHILD.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      child.kill('SIGKILL');
      fn();
    };
    const onAbort = () => settle(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    child.once('message', (reply: CatalogReply) =>
      settle(() =>
        reply.ok ? resolve(reply) : reject(new PortcullisError(reply.error.code, reply.error.message)),
      ),
    );
    child.once('error', (err) => settle(() => reject(err)));
    child.once('exit', (code, sig) =>
      settle(() =>
        reject(
          new PortcullisError(
            'IO',
            `the analysis process ended (${sig ?? code}) without a result: ${stderr.trim()}`,
          ),
        ),
      ),
    );
    child.send(request);
  });
}
