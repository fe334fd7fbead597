/** Cancellation helpers shared by the use cases and the layers they drive. */
import { PortcullisError } from './errors.js';

/** The error every cancelled operation rejects with. */
export function abortError(signal: AbortSignal, what: string): PortcullisError {
  return new PortcullisError('ABORTED', `${what} was cancelled`, {
    cause: signal.reason,
  });
}

/** Throws ABORTED when the signal has fired; a no-op without a signal. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/**
 * Ties a stream to a signal: when the signal fires, the stream is destroyed with ABORTED, so
 * whoever reads it (and every stream piped from it) stops at once. The listener goes with
 * the stream.
 */
export function abortable<S extends NodeJS.ReadableStream & { destroy(err?: Error): unknown }>(
  stream: S,
  signal: AbortSignal | undefined,
  what: string,
): S {
  if (!signal) return stream;
  if (signal.aborted) {
    stream.destroy(abortError(signal, what));
    return stream;
  }
  const onAbort = () => stream.destroy(abortError(signal, what));
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
  return stream;
}
