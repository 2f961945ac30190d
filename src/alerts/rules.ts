/**
 * What makes an alert, and what it says: pure functions (tested by tables). An alert's key names
 * the event — `rank:posts:up:3` is "first time up to n°3 by posts" — and a key is sent once per
 * campaign: a home account trading places at a tie announces each move once, not every minute.
 */

export type AlertLanguage = 'en' | 'fr';

export interface AlertDraft {
  key: string;
  text: string;
}

export interface Subject {
  campaignName: string;
  username: string;
  language: AlertLanguage;
  /**
   * Where the figure is read: one network ("on Bluesky"), or every network of a campaign that
   * follows several ("across networks"). Named in the text; in the key only for a campaign of
   * several networks, so a campaign of one network keeps the first wave's keys.
   */
  where: { network: 'x' | 'bluesky' | 'mastodon' | 'all'; inKey: boolean };
}

const networkNames: Record<AlertLanguage, Record<Subject['where']['network'], string>> = {
  en: { x: 'on X', bluesky: 'on Bluesky', mastodon: 'on Mastodon', all: 'across networks' },
  fr: { x: 'sur X', bluesky: 'sur Bluesky', mastodon: 'sur Mastodon', all: 'tous réseaux confondus' },
};

const keyPart = (where: Subject['where']) => (where.inKey ? `:${where.network}` : '');

const locales: Record<AlertLanguage, string> = { en: 'en-GB', fr: 'fr-FR' };

const metricNames: Record<AlertLanguage, Record<string, string>> = {
  en: {
    posts: 'posts',
    reposts: 'reposts',
    engagement: 'engagement',
    impressions: 'impressions',
    mentions: 'mentions',
    followers: 'followers',
    follower_growth: 'follower growth',
    follower_growth_pct: 'follower growth (%)',
  },
  fr: {
    posts: 'publications',
    reposts: 'reposts',
    engagement: 'engagement',
    impressions: 'impressions',
    mentions: 'mentions',
    followers: 'abonnés',
    follower_growth: 'croissance des abonnés',
    follower_growth_pct: 'croissance des abonnés (%)',
  },
};

const number = (language: AlertLanguage, value: number) =>
  new Intl.NumberFormat(locales[language]).format(value);

/** A rank move of the home account on a metric; null when the rank did not change. */
export function rankAlert(
  subject: Subject,
  metric: string,
  previous: number,
  current: number,
): AlertDraft | null {
  if (current === previous) return null;
  const { language, username, campaignName, where } = subject;
  const name = metricNames[language][metric] ?? metric;
  const on = networkNames[language][where.network];
  const up = current < previous;
  const text =
    language === 'fr'
      ? up
        ? `📈 @${username} passe n°${current} par ${name} ${on} (n°${previous} auparavant) — ${campaignName}`
        : `📉 @${username} recule au n°${current} par ${name} ${on} (n°${previous} auparavant) — ${campaignName}`
      : up
        ? `📈 @${username} moved up to n°${current} by ${name} ${on} (was n°${previous}) — ${campaignName}`
        : `📉 @${username} dropped to n°${current} by ${name} ${on} (was n°${previous}) — ${campaignName}`;
  return { key: `rank:${metric}${keyPart(where)}:${up ? 'up' : 'down'}:${current}`, text };
}

/**
 * The highest milestone passed between two follower readings (480 → 1,020 announces 1,000 only);
 * null when none was passed upwards.
 */
export function milestoneAlert(
  subject: Subject,
  milestones: readonly number[],
  previous: number,
  current: number,
): AlertDraft | null {
  const passed = milestones.filter((milestone) => previous < milestone && current >= milestone);
  const milestone = passed.at(-1);
  if (milestone === undefined) return null;
  const { language, username, campaignName, where } = subject;
  const on = networkNames[language][where.network];
  const text =
    language === 'fr'
      ? `🎉 @${username} a dépassé les ${number(language, milestone)} abonnés ${on} (${number(language, current)} à présent) — ${campaignName}`
      : `🎉 @${username} passed ${number(language, milestone)} followers ${on} (${number(language, current)} now) — ${campaignName}`;
  return { key: `followers${keyPart(where)}:${milestone}`, text };
}

/**
 * The body of a Slack or Mattermost incoming webhook. Slack reads `&`, `<` and `>` as markup
 * (links, mentions): a campaign name must not be able to ping a channel.
 */
export function webhookMessage(text: string): { text: string } {
  return { text: text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;') };
}
