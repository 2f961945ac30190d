import parser from 'cron-parser';

/** The gap between two consecutive runs of a cron pattern (from a fixed reference: deterministic). */
export function periodMs(pattern: string): number {
  const interval = parser.parseExpression(pattern, {
    currentDate: new Date('2016-01-04T00:00:00Z'),
    tz: 'UTC',
  });
  const first = interval.next().getTime();
  return interval.next().getTime() - first;
}
