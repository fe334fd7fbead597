/**
 * The service's root logger (API, worker and admission roles log through children of it).
 * Fields that can hold a credential are censored whatever logs them: no code path logs one
 * today (tested), and a future `log.debug({ body })` or a serialized request with headers must
 * not be the first to. Webhook basic auth passwords (`webhook_pass`, `basicAuth`), login
 * passwords and signing secrets are covered one and two levels deep.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const CREDENTIAL_FIELDS = ['webhook_pass', 'basicAuth', 'password', 'secret', 'authorization'];

export const REDACTED_PATHS: readonly string[] = [
  ...CREDENTIAL_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  'req.headers.cookie',
  '*.headers.cookie',
];

export const REDACTED = '[redacted]';

export function serviceLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: [...REDACTED_PATHS], censor: REDACTED } };
  return destination ? pino(options, destination) : pino(options);
}
