/**
 * Certificate reload without restart. cert-manager and Kubernetes secret volumes replace the
 * files through a symlink swap, which file-change events report unreliably, so the files are
 * re-read on an interval (and on demand) and a changed pair is installed with
 * `setSecureContext`; connections opened afterwards get the new certificate.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { PortcullisError, describeError } from '../core/errors.js';

/** What fastify exposes as `app.server` when created with `https`. */
export interface SecureContextTarget {
  setSecureContext(options: { cert: Buffer; key: Buffer }): void;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsReloader {
  /** Re-reads the files now; resolves true when a new pair was installed. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface TlsReloadOptions {
  intervalMs?: number;
  onReload?: () => void;
  /** A half-written or mismatched pair keeps the current certificate and is reported here. */
  onError?: (err: PortcullisError) => void;
}

export async function readTlsFiles(files: TlsFiles): Promise<{ cert: Buffer; key: Buffer }> {
  try {
    const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
    return { cert, key };
  } catch (err) {
    throw new PortcullisError('IO', `cannot read TLS certificate or key: ${describeError(err)}`, {
      cause: err,
      details: { ...files },
    });
  }
}

export function watchTlsFiles(
  target: SecureContextTarget,
  files: TlsFiles,
  options: TlsReloadOptions = {},
): TlsReloader {
  let current: { cert: Buffer; key: Buffer } | undefined;
  let running: Promise<boolean> | undefined;

  const load = async (): Promise<boolean> => {
    const pair = await readTlsFiles(files);
    if (current && current.cert.equals(pair.cert) && current.key.equals(pair.key)) return false;
    try {
      // Validates that the key matches the certificate before the server uses them.
      createSecureContext(pair);
    } catch (err) {
      throw new PortcullisError(
        'CONFIG_INVALID',
        `TLS certificate and key do not form a usable pair: ${describeError(err)}`,
        {
          cause: err,
          details: { ...files },
        },
      );
    }
    const first = current === undefined;
    current = pair;
    // Installed on the first read too: the files may have changed since the server started.
    target.setSecureContext(pair);
    if (first) return false;
    options.onReload?.();
    return true;
  };

  const reload = (): Promise<boolean> => {
    running ??= load().finally(() => {
      running = undefined;
    });
    return running;
  };

  const tick = (): void => {
    reload().catch((err: unknown) => {
      options.onError?.(
        err instanceof PortcullisError ? err : new PortcullisError('IO', describeError(err), { cause: err }),
      );
    });
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? 10_000);
  timer.unref();
  return { reload, close: () => clearInterval(timer) };
}
