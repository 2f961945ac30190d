import { describe, expect, test } from 'vitest';
import { defaultLogFormat, formatLogLine } from '../../src/log.ts';

const at = new Date(2026, 11, 7, 14, 2, 7).getTime();
const entry = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: at, pid: 4242, hostname: 'box', ...fields });

describe('formatLogLine', () => {
  test.each([
    [
      'time, level and message; pid and hostname dropped',
      entry({ msg: 'worker started' }),
      '14:02:07 INFO  worker started',
    ],
    [
      'fields after the message, quoted when they hold spaces',
      entry({ level: 40, msg: 'job failed', queue: 'x-search', attempts: 2, err: 'HTTP 503 from X' }),
      '14:02:07 WARN  job failed queue=x-search attempts=2 err="HTTP 503 from X"',
    ],
    [
      'a value the message already says is not repeated',
      entry({ msg: 'dashboard on http://localhost:3000', url: 'http://localhost:3000' }),
      '14:02:07 INFO  dashboard on http://localhost:3000',
    ],
    [
      'an error shows its type and message, not its stack',
      entry({
        level: 50,
        msg: 'queue error',
        err: { type: 'Error', message: 'connect ECONNREFUSED', stack: 'Error: …\n at x' },
      }),
      '14:02:07 ERROR queue error err="Error: connect ECONNREFUSED"',
    ],
    [
      'other objects as short JSON',
      entry({ msg: 'alerts checked', result: { fired: 1 } }),
      '14:02:07 INFO  alerts checked result={"fired":1}',
    ],
    [
      'a redacted field stays redacted',
      entry({ msg: 'request', headers: { authorization: '[redacted]' } }),
      '14:02:07 INFO  request headers={"authorization":"[redacted]"}',
    ],
    ['a line that is not JSON passes through', 'not json\n', 'not json'],
  ])('%s', (_, line, expected) => {
    expect(formatLogLine(line, { colors: false })).toBe(expected);
  });

  test('colours only the level', () => {
    expect(formatLogLine(entry({ level: 50, msg: 'boom' }), { colors: true })).toBe(
      '14:02:07 \u001b[31mERROR\u001b[0m boom',
    );
  });
});

describe('defaultLogFormat', () => {
  test.each([
    [[true, true], 'pretty'],
    [[false, true], 'json'],
    [[true, false], 'json'],
    [[undefined, true], 'json'],
  ] as const)('terminals %j: %s', (ttys, expected) => {
    expect(defaultLogFormat(ttys.map((isTTY) => ({ isTTY })))).toBe(expected);
  });
});
