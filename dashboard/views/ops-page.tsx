import type { FC } from 'hono/jsx';
import type { BudgetStatus } from '../../src/budget/status.ts';
import type { adminLists } from '../../src/db/campaign-repository.ts';
import type { recentRuns } from '../../src/db/run-log-repository.ts';
import type { Campaign } from '../../src/db/schema.ts';
import type { UnresolvedHandle } from '../../src/db/unresolved-handles.ts';
import { formatDateTime, formatDuration, formatNumber, formatTime } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { QueueState } from '../server/queue-inspection.ts';
import { CampaignFileForm } from './campaign-file-form.tsx';

export interface OpsView {
  /** null: Redis does not answer; undefined: no queues in this process */
  queues: QueueState[] | null | undefined;
  runs: Awaited<ReturnType<typeof recentRuns>>;
  usage: Map<number | null, { today: number; month: number }>;
  /** each campaign's spending this UTC month, by campaign id */
  budgets: Map<number, BudgetStatus>;
  campaigns: Array<Campaign & { lists: Awaited<ReturnType<typeof adminLists>> }>;
  adminEnabled: boolean;
  /** home and watchlist handles whose last lookup on X failed */
  unresolved: UnresolvedHandle[];
  /** the zone run times are shown in: the first campaign's, else UTC */
  timeZone: string;
}

/**
 * Collection status for operators: queues, the run log, X usage, and the admin forms (driven by
 * dashboard/client/admin.ts, which sends the admin token; without it they change nothing).
 */
export const OpsPage: FC<{ lang: Lang; view: OpsView }> = ({ lang, view }) => {
  const t = dictionaries[lang];
  const n = (value: number) => formatNumber(lang, value);
  const usd = (value: number) =>
    new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-US', { style: 'currency', currency: 'USD' }).format(
      value,
    );
  return (
    <>
      <h1>{t.opsTitle}</h1>
      {view.unresolved.length > 0 && (
        <section aria-labelledby="unresolved-title">
          <h2 id="unresolved-title">{t.unresolvedHandles}</h2>
          <ul class="unresolved">
            {view.unresolved.map((handle) => (
              <li class="bad">{t.unresolvedHandle(handle.username, handle.slug, handle.problem)}</li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="queues-title">
        <h2 id="queues-title">{t.queues}</h2>
        {view.queues === undefined && <p class="note">{t.queuesNotConnected}</p>}
        {view.queues === null && <p class="note">{t.queuesUnavailable}</p>}
        {view.queues && (
          <div class="table-scroll">
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">{t.queue}</th>
                  <th scope="col" class="num">
                    {t.waiting}
                  </th>
                  <th scope="col" class="num">
                    {t.active}
                  </th>
                  <th scope="col" class="num">
                    {t.delayed}
                  </th>
                  <th scope="col" class="num">
                    {t.failed}
                  </th>
                  <th scope="col" class="num">
                    {t.completed}
                  </th>
                  <th scope="col">{t.outcome}</th>
                </tr>
              </thead>
              <tbody>
                {view.queues.map((queue) => (
                  <tr>
                    <th scope="row">{queue.name}</th>
                    <td class="num">{n(queue.waiting)}</td>
                    <td class="num">{n(queue.active)}</td>
                    <td class="num">{n(queue.delayed)}</td>
                    <td class={queue.failed > 0 ? 'num bad' : 'num'}>{n(queue.failed)}</td>
                    <td class="num">{n(queue.completed)}</td>
                    <td>
                      {queue.rateLimitedUntil
                        ? t.rateLimitedUntil(formatTime(lang, view.timeZone, queue.rateLimitedUntil))
                        : queue.paused
                          ? t.queuePaused
                          : t.queueRunning}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {view.queues !== undefined && (
          <p>
            <a href="/admin/queues">{t.queueBoard}</a>
          </p>
        )}
      </section>

      <section aria-labelledby="usage-title">
        <h2 id="usage-title">{t.budget}</h2>
        <ul class="usage">
          {view.campaigns.map((campaign) => {
            const usage = view.usage.get(campaign.id) ?? { today: 0, month: 0 };
            const budget = view.budgets.get(campaign.id);
            return (
              <li>
                <strong>{campaign.slug}</strong>: {n(usage.today)} {t.requestsToday} · {n(usage.month)}{' '}
                {t.requestsMonth}
                {budget && (
                  <>
                    <br />
                    {budget.monthlyBudgetUsd === null
                      ? t.budgetSpentNoLimit(usd(budget.spentUsd))
                      : t.budgetSpent(usd(budget.spentUsd), usd(budget.monthlyBudgetUsd))}
                    {budget.usage && <> · {t.xPostsRead(n(budget.usage.posts), n(budget.usage.cap))}</>}
                    {budget.pausedBy && budget.message && <p class="bad">{budget.message}</p>}
                  </>
                )}
              </li>
            );
          })}
        </ul>
        {view.campaigns.every((campaign) => view.budgets.get(campaign.id)?.monthlyBudgetUsd == null) && (
          <p class="muted">{t.budgetNotSet}</p>
        )}
      </section>

      <section aria-labelledby="runs-title">
        <h2 id="runs-title">{t.runs}</h2>
        {view.runs.length === 0 ? (
          <p>{t.noRuns}</p>
        ) : (
          <div class="table-scroll">
            <table class="compact runs">
              <thead>
                <tr>
                  <th scope="col">{t.started}</th>
                  <th scope="col">{t.campaign}</th>
                  <th scope="col">{t.job}</th>
                  <th scope="col">{t.target}</th>
                  <th scope="col" class="num">
                    {t.duration}
                  </th>
                  <th scope="col" class="num">
                    {t.requests}
                  </th>
                  <th scope="col" class="num">
                    {t.postsNew}
                  </th>
                  <th scope="col" class="num">
                    {t.postsUpdated}
                  </th>
                  <th scope="col">{t.outcome}</th>
                </tr>
              </thead>
              <tbody>
                {view.runs.map((run) => (
                  <tr>
                    <td>{formatDateTime(lang, view.timeZone, run.started_at)}</td>
                    <td>{run.slug ?? '—'}</td>
                    <td>{run.kind}</td>
                    <td class="target">{run.target}</td>
                    <td class="num">
                      {run.finished_at
                        ? formatDuration(run.finished_at.getTime() - run.started_at.getTime())
                        : '…'}
                    </td>
                    <td class="num">{n(run.requests)}</td>
                    <td class="num">{n(run.posts_new)}</td>
                    <td class="num">{n(run.posts_updated)}</td>
                    <td class={run.outcome === 'failed' ? 'bad' : undefined}>
                      {t.outcomes[run.outcome] ?? run.outcome}
                      {run.error && <span class="error-text"> — {run.error}</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="admin-title" class="admin" id="admin">
        <h2 id="admin-title">{t.admin}</h2>
        {view.adminEnabled ? (
          <>
            <p class="muted">{t.adminHint}</p>
            <p class="admin-form">
              <label for="admin-token">{t.adminToken}</label>{' '}
              <input id="admin-token" type="password" autocomplete="off" spellcheck={false} size={40} />
            </p>
          </>
        ) : (
          <p class="note">{t.adminOff}</p>
        )}
        <p id="admin-status" class="admin-status" role="status" aria-live="polite" />
        {view.campaigns.map((campaign) => (
          <CampaignAdmin lang={lang} campaign={campaign} />
        ))}
        {view.adminEnabled && <CampaignFileForm lang={lang} />}
      </section>
    </>
  );
};

const CampaignAdmin: FC<{ lang: Lang; campaign: OpsView['campaigns'][number] }> = ({ lang, campaign }) => {
  const t = dictionaries[lang];
  const api = `/api/v1/campaigns/${encodeURIComponent(campaign.slug)}`;
  return (
    <article class="campaign-admin" aria-labelledby={`admin-${campaign.slug}`}>
      <h3 id={`admin-${campaign.slug}`}>
        {campaign.name} <span class="muted">({campaign.slug})</span>
      </h3>
      <p>
        <strong>{campaign.paused ? t.collectionPaused : t.collecting}</strong>{' '}
        <button type="button" data-action="POST" data-url={`${api}/${campaign.paused ? 'resume' : 'pause'}`}>
          {campaign.paused ? t.resume : t.pause}
        </button>{' '}
        <button type="button" data-action="POST" data-url={`${api}/backfill`}>
          {t.backfill}
        </button>
      </p>
      <div class="admin-lists">
        <div>
          <h4>{t.watchlist}</h4>
          <ul>
            {campaign.lists.accounts.map((account) => (
              <li>
                @{account.username}{' '}
                {account.role === 'home' ? (
                  <span class="muted">({t.homeRole})</span>
                ) : (
                  <button
                    type="button"
                    class="link-button"
                    data-action="DELETE"
                    data-url={`${api}/watchlist/${encodeURIComponent(account.username)}`}
                    aria-label={`${t.remove} @${account.username}`}
                  >
                    {t.remove}
                  </button>
                )}
              </li>
            ))}
          </ul>
          <form class="admin-form" data-url={`${api}/watchlist`} data-field="username">
            <label class="visually-hidden" for={`add-account-${campaign.slug}`}>
              {t.addAccount}
            </label>
            <input
              id={`add-account-${campaign.slug}`}
              name="username"
              required
              pattern="@?[A-Za-z0-9_]{1,15}"
              placeholder={t.usernamePlaceholder}
              autocomplete="off"
            />{' '}
            <button type="submit">{t.addAccount}</button>
          </form>
        </div>
        <div>
          <h4>{t.queries}</h4>
          <ul>
            {campaign.lists.queries.map((query) => (
              <li>
                <code>{query.query}</code>{' '}
                {query.backfill_done && <span class="muted">({t.backfillDone}) </span>}
                {query.active ? (
                  <button
                    type="button"
                    class="link-button"
                    data-action="DELETE"
                    data-url={`${api}/queries/${query.id}`}
                    aria-label={`${t.retire} ${query.query}`}
                  >
                    {t.retire}
                  </button>
                ) : (
                  <span class="muted">({t.retired})</span>
                )}
              </li>
            ))}
          </ul>
          <form class="admin-form" data-url={`${api}/queries`} data-field="query">
            <label class="visually-hidden" for={`add-query-${campaign.slug}`}>
              {t.addQuery}
            </label>
            <input
              id={`add-query-${campaign.slug}`}
              name="query"
              required
              maxlength={512}
              placeholder={t.queryPlaceholder}
              autocomplete="off"
            />{' '}
            <button type="submit">{t.addQuery}</button>
          </form>
        </div>
      </div>
      <CampaignFileForm lang={lang} slug={campaign.slug} />
    </article>
  );
};
