import type { Lang } from '../../src/present/i18n.ts';

/**
 * The words of the big screen (/campaigns/:slug/screen), in English and French. Apart from
 * src/present/i18n.ts because only this page uses them; bundled into the browser code too.
 */
const en = {
  title: (campaign: string) => `${campaign} — big screen`,
  byPosts: 'Top accounts by posts',
  byEngagement: 'Top accounts by engagement',
  growth: 'Followers and growth',
  onNetwork: (network: string) => `On ${network}: top accounts by posts`,
  rankOf: (rank: string, total: string, metric: string) => `n°${rank} of ${total} by ${metric}`,
  notRanked: 'not ranked yet',
  followers: (followers: string) => `${followers} followers`,
  growthDuring: (growth: string) => `${growth} during the event`,
  posts: (posts: string) => `${posts} posts`,
  campaignTotals: (posts: string, authors: string) => `${posts} posts by ${authors} accounts`,
  noPosts: 'No post yet.',
  nothingRanked: 'Nobody ranked yet.',
  panels: 'Panels',
};

const fr: typeof en = {
  title: (campaign) => `${campaign} — grand écran`,
  byPosts: 'Comptes les plus actifs (publications)',
  byEngagement: 'Comptes les plus engageants',
  growth: 'Abonnés et croissance',
  onNetwork: (network) => `Sur ${network} : comptes les plus actifs`,
  rankOf: (rank, total, metric) => `n°${rank} sur ${total} par ${metric}`,
  notRanked: 'pas encore classé',
  followers: (followers) => `${followers} abonnés`,
  growthDuring: (growth) => `${growth} pendant l’événement`,
  posts: (posts) => `${posts} publications`,
  campaignTotals: (posts, authors) => `${posts} publications de ${authors} comptes`,
  noPosts: 'Aucune publication pour l’instant.',
  nothingRanked: 'Personne n’est encore classé.',
  panels: 'Panneaux',
};

export const screenText: Record<Lang, typeof en> = { en, fr };

/** How a network's name is written ("X", "Bluesky", "Mastodon"); an unknown one as it comes. */
export const networkNames: Record<string, string> = { x: 'X', bluesky: 'Bluesky', mastodon: 'Mastodon' };
