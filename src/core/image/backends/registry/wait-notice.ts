/**
 * Notices for registry requests that have had no response for a while: first after
 * `waitNoticeMs`, then at each doubling of the wait, until the response or the timeout.
 */
import { DEFAULT_WAIT_NOTICE_MS, type RegistryOptions } from '../../options.js';

export interface WaitNotice {
  stop(): void;
}

const NOOP: WaitNotice = { stop: () => undefined };

export function startWaitNotice(options: RegistryOptions, req: { url: URL; what: string }): WaitNotice {
  const onWait = options.onWait;
  const first = options.waitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS;
  if (!onWait || first >= options.timeoutMs) return NOOP;
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delay: number) => {
    timer = setTimeout(
      () => {
        onWait({
          host: req.url.host,
          what: req.what,
          waitedMs: Date.now() - started,
          timeoutMs: options.timeoutMs,
        });
        if (delay * 2 < options.timeoutMs) schedule(delay * 2);
      },
      delay - (Date.now() - started),
    );
    // A pending notice never keeps the process alive on its own.
    timer.unref();
  };
  schedule(first);
  return { stop: () => clearTimeout(timer) };
}
