import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type MastodonCollectContext,
  readMastodonHome,
  readMastodonInstance,
} from '../src/collect/mastodon-collect.ts';
import { mastodonNamedAccounts, mastodonQueries } from '../src/db/mastodon-repository.ts';
import {
  type MastodonJobData,
  mastodonJobIds,
  mastodonJobNames,
  mastodonQueueName,
} from '../src/jobs/mastodon-queues.ts';
import { oneShot } from '../src/jobs/queue-names.ts';
import {
  MastodonAuthError,
  MastodonRateLimitError,
  MastodonRequestError,
  MastodonTimelineClosedError,
} from '../src/networks/mastodon/errors.ts';
import { parseInstance } from '../src/networks/mastodon/instances.ts';

export interface MastodonWorkersOptions extends MastodonCollectContext {
  connection: Redis;
  prefix: string;
  /** run processors (a dashboard-only process only needs the queues) */
  workers: boolean;
  /** the queues by name, shared with the dashboard (operations page, BullMQ board): each new one is added */
  registry: Record<string, Queue>;
  onCampaignUpdated(campaignId: number): Promise<void>;
}

const retried = { attempts: 5, backoff: { type: 'exponential', delay: 2000 } } as const;

/**
 * One queue and one worker per Mastodon instance (src/jobs/mastodon-queues.ts says why), opened the first
 * time a job names the instance: the campaign's instances at its first tick, home instances as the
 * statuses stored name them. One job at a time per instance: an instance's rate limit is per client
 * address, so parallel jobs on it would only share the same budget.
 */
export class MastodonWorkers {
  readonly #options: MastodonWorkersOptions;
  readonly #queues = new Map<string, Queue>();
  readonly #workers: Worker[] = [];

  constructor(options: MastodonWorkersOptions) {
    this.#options = options;
  }

  /** Queues what a campaign's tick asks: its tags on each instance, then each home's reads. */
  async enqueueCampaign(campaignId: number): Promise<void> {
    const { db, mastodon } = this.#options;
    const instances = new Set(
      (await mastodonQueries(db, campaignId)).map((q) => parseInstance(q.instance).baseUrl),
    );
    for (const instance of instances) await this.#enqueue(mastodonJobNames.tags, { campaignId, instance });
    const homes = new Set(instances);
    for (const handle of await mastodonNamedAccounts(db, campaignId))
      homes.add(mastodon.homeInstanceOfHandle(handle));
    for (const instance of homes) await this.#enqueue(mastodonJobNames.home, { campaignId, instance });
  }

  queueFor(instance: string): Queue {
    const baseUrl = parseInstance(instance).baseUrl;
    let queue = this.#queues.get(baseUrl);
    if (queue) return queue;
    const { connection, prefix, log } = this.#options;
    const name = mastodonQueueName(baseUrl);
    queue = new Queue(name, { connection, prefix });
    queue.on('error', (err) => log.error({ err, queue: name }, 'queue error'));
    this.#queues.set(baseUrl, queue);
    this.#options.registry[name] = queue;
    if (this.#options.workers) {
      const worker: Worker = new Worker(name, (job) => this.#process(job, worker), {
        connection,
        prefix,
        concurrency: 1,
        lockDuration: 10_000,
        stalledInterval: 5_000,
        maxStalledCount: 3,
      });
      worker.on('error', (err) => log.error({ err, queue: name }, 'worker error'));
      worker.on('failed', (job, err) =>
        log.warn({ queue: name, job: job?.name, jobId: job?.id, err: err.message }, 'job failed'),
      );
      this.#workers.push(worker);
    }
    return queue;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.close()));
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
  }

  async #enqueue(name: string, data: MastodonJobData): Promise<void> {
    const jobId =
      name === mastodonJobNames.tags
        ? mastodonJobIds.tags(data.campaignId, data.instance)
        : mastodonJobIds.home(data.campaignId, data.instance);
    await this.queueFor(data.instance).add(name, data, { jobId, ...oneShot, ...retried });
  }

  async #process(job: Job, worker: Worker): Promise<unknown> {
    const ctx = { ...this.#options, job: `${job.queueName}:${job.id}` };
    try {
      const data = job.data as MastodonJobData;
      if (job.name === mastodonJobNames.home) {
        const result = await readMastodonHome(ctx, data.campaignId, data.instance);
        if (result.statuses + result.accounts + result.reposts > 0)
          await ctx.onCampaignUpdated(data.campaignId);
        return result;
      }
      if (job.name !== mastodonJobNames.tags) {
        throw new UnrecoverableError(`unknown job ${job.name} on ${job.queueName}`);
      }
      const result = await readMastodonInstance(ctx, data.campaignId, data.instance);
      if (result.postsNew > 0) await ctx.onCampaignUpdated(data.campaignId);
      // What was stored has counts and followers to read on its homes, each on its own queue.
      for (const home of result.homes)
        await this.#enqueue(mastodonJobNames.home, { campaignId: data.campaignId, instance: home });
      return result;
    } catch (error) {
      // This instance's limit pauses this instance's queue only; the job waits, no attempt is spent.
      if (error instanceof MastodonRateLimitError) {
        await worker.rateLimit(Math.max(1000, error.resetAt.getTime() - Date.now()));
        throw Worker.RateLimitError();
      }
      // Retrying cannot help: a refusal or a bad token needs MASTODON_TOKENS changed; the run log says so.
      if (
        error instanceof MastodonTimelineClosedError ||
        error instanceof MastodonAuthError ||
        error instanceof MastodonRequestError
      ) {
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  }
}
