import pino, { type Logger } from 'pino';

export type { Logger };

/** pino JSON logs. Tokens never reach a log line: headers and known secret fields are redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          '*.authorization',
          '*.headers.authorization',
          '*.bearerToken',
          '*.X_BEARER_TOKEN',
          '*.ADMIN_TOKEN',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
