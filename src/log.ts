import pino, { type Logger } from 'pino';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  level: string;
  /** `pretty`: one short line per entry, for a person at a terminal; `json`: for a log collector */
  format?: LogFormat;
  destination?: pino.DestinationStream;
  /** ANSI colours on the level (pretty only): when the destination is a terminal */
  colors?: boolean;
}

/**
 * pino logs. Tokens never reach a log line: headers and known secret fields are redacted by pino
 * itself, before either format sees the entry, so the pretty lines are made from redacted JSON.
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination(1);
  return pino(
    {
      level: options.level,
      redact: {
        paths: [
          '*.authorization',
          '*.headers.authorization',
          '*.bearerToken',
          '*.X_BEARER_TOKEN',
          '*.ADMIN_TOKEN',
          '*.BLUESKY_APP_PASSWORD',
          '*.MASTODON_TOKENS',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    options.format === 'pretty' ? prettyDestination(destination, options.colors === true) : destination,
  );
}

/**
 * Pretty on a terminal, JSON elsewhere: both stdout (command output, piped or not) and the log's own
 * stream must be terminals, so `tracker start | tee out.txt` and `2> log.json` both get JSON.
 */
export function defaultLogFormat(streams: { isTTY?: boolean }[]): LogFormat {
  return streams.every((stream) => stream.isTTY === true) ? 'pretty' : 'json';
}

function prettyDestination(destination: pino.DestinationStream, colors: boolean): pino.DestinationStream {
  return { write: (line: string) => destination.write(`${formatLogLine(line, { colors })}\n`) };
}

const levelNames: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const levelColors: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '35' };
/** Present on every entry and no help to a person reading a terminal. */
const hidden = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/**
 * One pino JSON entry as a terminal line: `14:02:07 WARN  job failed queue=x-search err="HTTP 503"`.
 * Local time of day (a person reads the terminal as it runs), the level, the message, then the
 * fields, skipping a value the message already says. An error shows its type and message (the
 * JSON form keeps its stack).
 */
export function formatLogLine(line: string, options: { colors: boolean }): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.trimEnd();
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const name = (levelNames[level] ?? String(level)).padEnd(5);
  const label = options.colors ? `\u001b[${levelColors[level] ?? '0'}m${name}\u001b[0m` : name;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toTimeString().slice(0, 8) : '';
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const fields: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (hidden.has(key) || value === undefined || value === null) continue;
    const text = fieldText(value);
    if (typeof value === 'string' && message.includes(value)) continue;
    fields.push(`${key}=${text}`);
  }
  return [time, label, message, ...fields].filter((part) => part !== '').join(' ');
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value);
  const error = value as { type?: unknown; message?: unknown };
  if (typeof error.message === 'string') {
    return JSON.stringify(typeof error.type === 'string' ? `${error.type}: ${error.message}` : error.message);
  }
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}
