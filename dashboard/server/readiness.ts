import { sql } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../src/clock.ts';
import type { Db } from '../../src/db/database.ts';
import { periodMs } from '../../src/jobs/cron.ts';
import { lastCollectedAt } from '../../src/rank/freshness.ts';
import type { OpsRedis } from './ops-redis.ts';
import { withTimeout } from './timeout.ts';

/** Each check gives up after this long: a probe must answer before its orchestrator times out. */
const checkTimeoutMs = 2000;
/** Live ticks poll from a day before the window to a day after (workers/processors.ts `tick`). */
const liveMarginMs = 24 * 3600_000;
/** A live campaign whose last successful run is older than this many live periods is stale. */
export const staleAfterPeriods = 3;

const checkSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), ms: z.number() }),
  z.object({ status: z.literal('failing'), error: z.string() }),
  z.object({ status: z.literal('skipped') }),
]);
type CheckJson = z.output<typeof checkSchema>;

const campaignCollectionSchema = z.object({
  campaign: z.string(),
  ageSeconds: z
    .number()
    .nullable()
    .describe('on the application clock; null before the first successful run'),
  staleAfterSeconds: z
    .number()
    .nullable()
    .describe(
      '3 × the live period while the campaign is live; null outside (the nightly schedule is slow by design)',
    ),
  stale: z.boolean(),
});
type CampaignCollectionJson = z.output<typeof campaignCollectionSchema>;

/** `GET /readyz`: typed by this schema, described by it in /api/v1/openapi.json. */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({
    postgres: checkSchema,
    redis: checkSchema,
    // Reported, never failing the probe: stale data is not this process's fault, and taking the
    // dashboard out of service would hide the stale data's own warning.
    lastCollection: z
      .object({
        ageSeconds: z.number().nullable(),
        stale: z.boolean(),
        campaigns: z.array(campaignCollectionSchema),
      })
      .describe(
        'reported, never failing the probe: alert on tracker_collection_last_success_age_seconds instead',
      ),
  }),
  failing: z.array(z.string()).describe('names of the checks that failed (empty when ready)'),
  error: z.object({ code: z.literal('not_ready'), message: z.string() }).optional(),
});
export type ReadinessJson = z.output<typeof readinessSchema>;

export async function readiness(deps: {
  db: Db;
  clock: Clock;
  redis: OpsRedis | undefined;
}): Promise<ReadinessJson> {
  const [postgres, redis] = await Promise.all([
    timed(() => sql`select 1`.execute(deps.db)),
    deps.redis
      ? timed(() => deps.redis?.run((client) => client.ping(), checkTimeoutMs) ?? Promise.resolve())
      : skipped(),
  ]);
  const campaigns =
    postgres.status === 'ok'
      ? await withTimeout(collectionAges(deps.db, deps.clock.now()), checkTimeoutMs).catch(() => [])
      : [];
  const ages = campaigns.flatMap((campaign) => (campaign.ageSeconds === null ? [] : [campaign.ageSeconds]));
  const failing = Object.entries({ postgres, redis }).flatMap(([name, check]) =>
    check.status === 'failing' ? [name] : [],
  );
  const report: ReadinessJson = {
    status: failing.length === 0 ? 'ready' : 'not_ready',
    checks: {
      postgres,
      redis,
      lastCollection: {
        ageSeconds: ages.length > 0 ? Math.min(...ages) : null,
        stale: campaigns.some((campaign) => campaign.stale),
        campaigns,
      },
    },
    failing,
  };
  if (failing.length > 0) {
    const message = failing
      .map((name) => `${name}: ${(report.checks[name as 'postgres'] as { error: string }).error}`)
      .join('; ');
    report.error = { code: 'not_ready', message };
  }
  return report;
}

/** Each campaign's last successful collection, and whether it is overdue. */
export async function collectionAges(db: Db, now: Date): Promise<CampaignCollectionJson[]> {
  const campaigns = await db
    .selectFrom('campaigns')
    .select(['id', 'slug', 'paused', 'window_start', 'window_end', 'schedule'])
    .orderBy('slug')
    .execute();
  return Promise.all(
    campaigns.map(async (campaign) => {
      const at = await lastCollectedAt(db, campaign.id);
      const ageSeconds = at ? Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000)) : null;
      const live =
        !campaign.paused &&
        now.getTime() >= campaign.window_start.getTime() - liveMarginMs &&
        now.getTime() < campaign.window_end.getTime() + liveMarginMs;
      const staleAfterSeconds = live ? livePeriodSeconds(campaign.schedule.live) * staleAfterPeriods : null;
      return {
        campaign: campaign.slug,
        ageSeconds,
        staleAfterSeconds,
        stale: staleAfterSeconds !== null && ageSeconds !== null && ageSeconds > staleAfterSeconds,
      };
    }),
  );
}

function livePeriodSeconds(pattern: string): number {
  try {
    return Math.round(periodMs(pattern) / 1000);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

async function timed(check: () => Promise<unknown>): Promise<CheckJson> {
  const started = performance.now();
  try {
    await withTimeout(check(), checkTimeoutMs);
    return { status: 'ok', ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: 'failing', error: oneLine(error) };
  }
}

const skipped = async (): Promise<CheckJson> => ({ status: 'skipped' });

/** The first line of the driver's message: never a stack, never a connection string. */
function oneLine(error: unknown): string {
  const first = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const code = (first as { code?: unknown } | undefined)?.code;
  const message =
    (first instanceof Error ? first.message : String(first)) || (typeof code === 'string' ? code : '');
  const line = (message.split('\n', 1)[0] ?? '').replace(/\b\w+:\/\/\S+/g, '<url>');
  return line.slice(0, 200) || 'failed';
}
