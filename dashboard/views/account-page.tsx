import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import type { CampaignFigures } from '../../src/db/account-repository.ts';
import type { Account, Campaign } from '../../src/db/schema.ts';
import { formatDateTime, formatNumber, formatWindow } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { AccountPageData, TopPostJson } from '../api-contract.ts';
import { Avatar } from './avatar.tsx';
import { ChartFigure, embedJson } from './campaign-page.tsx';
import { NetworkIcon } from './network-icon.tsx';
import { networkLabels, postHref } from './present.ts';

export interface AccountView {
  account: Account;
  snapshot: {
    observed_at: Date;
    followers_count: number;
    /** null on an imported reading (it knows the followers only) */
    following_count: number | null;
    post_count: number | null;
    listed_count: number | null;
  } | null;
  figures: CampaignFigures;
  topPosts: TopPostJson[];
}

/** One account in a campaign: its figures, its series (drawn by client/account.ts) and top posts. */
export const AccountPage: FC<{ campaign: Campaign; view: AccountView; data: AccountPageData }> = ({
  campaign,
  view,
  data,
}) => {
  const { lang } = data;
  const t = dictionaries[lang];
  const { account, snapshot, figures } = view;
  const n = (value: number | null) => (value === null ? '—' : formatNumber(lang, value));
  return (
    <>
      <p>
        <a href={`/campaigns/${encodeURIComponent(campaign.slug)}?lang=${lang}`}>← {t.backToLeaderboard}</a>
      </p>
      <header class="account-header">
        <Avatar
          class="avatar"
          accountId={account.id}
          profileImageUrl={account.profile_image_url}
          name={account.name}
          username={account.username}
          pixels={64}
        />
        <div>
          <h1>
            {account.name}{' '}
            <span class="username">
              <NetworkIcon network={account.network} />@{account.username}
            </span>
          </h1>
          {account.description && <p class="bio">{account.description}</p>}
          <p class="muted">
            {campaign.name} ·{' '}
            {formatWindow(lang, campaign.timezone, campaign.window_start, campaign.window_end)}
          </p>
        </div>
      </header>
      <div class="figures">
        <section>
          <h2>{t.profile}</h2>
          {snapshot ? (
            <>
              <dl>
                <Figure value={n(snapshot.followers_count)} label={t.metrics.followers ?? 'followers'} />
                <Figure value={n(snapshot.following_count)} label={t.following} />
                <Figure value={n(snapshot.post_count)} label={t.postsOnX} />
                <Figure value={n(snapshot.listed_count)} label={t.listed} />
              </dl>
              <p class="muted">
                {t.readingOf(formatDateTime(lang, campaign.timezone, snapshot.observed_at))}
              </p>
            </>
          ) : (
            <p>{t.noFollowers}</p>
          )}
        </section>
        <section>
          <h2>{t.inCampaign}</h2>
          <dl>
            <Figure value={n(figures.posts)} label={t.postsInCampaign} />
            <Figure value={n(figures.reposts)} label={t.repostsInCampaign} />
            <Figure value={n(figures.engagement)} label={t.engagementReceived} />
            {figures.impressions !== null && (
              <Figure value={n(figures.impressions)} label={t.impressionsReceived} />
            )}
          </dl>
        </section>
      </div>
      <section class="charts account-charts" aria-label={t.charts}>
        <ChartFigure name="followers" title={t.followersPerDay} lang={lang} />
        <ChartFigure name="posts" title={t.postsPerDay} lang={lang} />
        <ChartFigure name="engagement" title={t.engagementPerDay(account.username)} lang={lang} />
      </section>
      <section class="top-posts">
        <h2>{t.topPosts}</h2>
        {view.topPosts.length === 0 ? (
          <p>{t.noPostsYet}</p>
        ) : (
          <ol>
            {view.topPosts.map((post) => (
              <PostItem lang={lang} timeZone={campaign.timezone} post={post} />
            ))}
          </ol>
        )}
      </section>
      <script type="application/json" id="account-data">
        {raw(embedJson(data))}
      </script>
    </>
  );
};

const Figure: FC<{ value: string; label: string }> = ({ value, label }) => (
  <div class="figure">
    <dt>{label}</dt>
    <dd>{value}</dd>
  </div>
);

/** A post; its text is the author's: escaped by JSX, shown with its line breaks, never as HTML. */
export const PostItem: FC<{ lang: Lang; timeZone: string; post: TopPostJson }> = ({
  lang,
  timeZone,
  post,
}) => {
  const t = dictionaries[lang];
  const n = (value: number) => formatNumber(lang, value);
  return (
    <li class="post">
      <p class="post-text">{post.text}</p>
      <p class="post-meta muted">
        <time datetime={post.createdAt}>{formatDateTime(lang, timeZone, new Date(post.createdAt))}</time>
        {' · '}
        {t.likes} {n(post.likes)} · {t.reposts} {n(post.reposts)} · {t.replies} {n(post.replies)} · {t.quotes}{' '}
        {n(post.quotes)} ·{' '}
        <a href={postHref(post)} rel="noopener noreferrer" target="_blank">
          {t.viewOn(networkLabels[post.network])}
        </a>
      </p>
    </li>
  );
};
