import type { PlanSpan, Span, WindowPlan } from '../db/rank-values.ts';
import type { Campaign } from '../db/schema.ts';
import { startOfDay, startOfNextDay } from './calendar.ts';

export type { Span } from '../db/rank-values.ts';

type CampaignWindow = Pick<Campaign, 'window_start' | 'window_end'>;
type CampaignCalendar = CampaignWindow & Pick<Campaign, 'timezone'>;

export type Strategy = WindowPlan['strategy'];

/**
 * How a window's values are best read: the campaign window from the totals; a window inside it
 * that leaves out less than it keeps, as totals minus what it leaves out; anything else by adding
 * up the window (the SQL of each: src/db/rank-values.ts).
 */
export function strategyFor(campaign: CampaignWindow, window: Span): Strategy {
  const start = campaign.window_start.getTime();
  const end = campaign.window_end.getTime();
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (from === start && to === end) return 'totals';
  if (from >= start && to <= end && from - start + (end - to) < to - from) return 'difference';
  return 'sum';
}

/**
 * The strategy with what its SQL needs: the spans a difference leaves out, the window a sum adds
 * up, and whether that window is one whole day of the campaign's calendar (read as it is kept).
 */
export function planFor(campaign: CampaignCalendar, window: Span): WindowPlan {
  switch (strategyFor(campaign, window)) {
    case 'totals':
      return { strategy: 'totals' };
    case 'difference':
      return { strategy: 'difference', leftOut: leftOut(campaign, window) };
    case 'sum':
      return { strategy: 'sum', window: asPlanned(campaign, window) };
  }
}

/** The span, marked `oneDay` when it is one whole local day (read as the daily rollups keep it). */
function asPlanned(campaign: Pick<Campaign, 'timezone'>, span: Span): PlanSpan {
  return isOneDay(campaign, span) ? { ...span, oneDay: true } : span;
}

/** [from, to) is one local day of the campaign's timezone, 23- and 25-hour days included. */
function isOneDay(campaign: Pick<Campaign, 'timezone'>, window: Span): boolean {
  return (
    startOfDay(window.from, campaign.timezone).getTime() === window.from.getTime() &&
    startOfNextDay(window.from, campaign.timezone).getTime() === window.to.getTime()
  );
}

/** The spans of the campaign window that `window` (inside it) leaves out. */
function leftOut(campaign: CampaignCalendar, window: Span): PlanSpan[] {
  return [
    { from: campaign.window_start, to: window.from },
    { from: window.to, to: campaign.window_end },
  ]
    .filter((span) => span.from < span.to)
    .map((span) => asPlanned(campaign, span));
}

/**
 * Ends of the windows the movement compares with: an hour before, and the start of the day of, the
 * window's last instant so far — min(to, asOf). A reference at or before `from` is an empty window.
 */
export function movementEnds(
  campaign: Pick<Campaign, 'timezone'>,
  window: Span,
  asOf: Date,
): { hourAgo: Date | null; dayStart: Date | null } {
  const end = Math.min(window.to.getTime(), asOf.getTime());
  const hourAgo = new Date(end - 3600_000);
  // The day of the last instant: a window ending at midnight compares with that day's start.
  const dayStart = startOfDay(new Date(end - 1), campaign.timezone);
  const after = (instant: Date) => (instant > window.from ? instant : null);
  return { hourAgo: after(hourAgo), dayStart: after(dayStart) };
}
