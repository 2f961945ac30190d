/** The dashboard's words, in English and French. Bundled into the browser code too: no Node imports. */

export const languages = ['en', 'fr'] as const;
export type Lang = (typeof languages)[number];

/** Intl locales: en-GB writes "7–9 December 2016" and a 24-hour clock, as the event's audience expects. */
export const locales: Record<Lang, string> = { en: 'en-GB', fr: 'fr-FR' };

export interface Headline {
  username: string;
  rank: number;
  total: string;
  metric: string;
}

const en = {
  appName: 'Campaign tracker',
  campaigns: 'Campaigns',
  noCampaigns: 'No campaign yet. Apply a campaign file with: tracker campaign apply <file>',
  window: 'Window',
  home: 'Home account',
  demo: 'Demo: simulated data, a replay of the 2016 OGP Global Summit by the built-in X API simulator.',
  switchLanguage: 'Français',
  rank: 'Rank',
  account: 'Account',
  metrics: { posts: 'posts' } as Record<string, string>,
  metricTitles: { posts: 'Posts' } as Record<string, string>,
  headline: (h: Headline) => `@${h.username} — n°${h.rank} of ${h.total} accounts by ${h.metric}`,
  notRanked: (username: string, metric: string) =>
    `@${username} — not ranked yet (no ${metric} in the window)`,
  followers: (count: string) => `${count} followers`,
  growth: (delta: string) => `${delta} in the window`,
  noFollowers: 'No follower reading yet.',
  followerCurve: (username: string) => `Followers of @${username}, per hour`,
  leaderboardCaption: (shown: number) => `Top ${shown} accounts`,
  updatedAt: (time: string) => `updated at ${time}`,
  updateFailed: 'update failed, retrying…',
  notFound: 'Page not found',
  notFoundHint: 'This address leads nowhere. Back to the campaigns:',
  internalError: 'Something went wrong on our side. Try again in a moment.',
  back: 'all campaigns',
};

export type Dictionary = typeof en;

const fr: Dictionary = {
  appName: 'Suivi de campagne',
  campaigns: 'Campagnes',
  noCampaigns: 'Aucune campagne. Appliquez un fichier de campagne : tracker campaign apply <fichier>',
  window: 'Période',
  home: 'Compte suivi',
  demo: 'Démo : données simulées, un rejeu du sommet mondial du PGO 2016 par le simulateur d’API X intégré.',
  switchLanguage: 'English',
  rank: 'Rang',
  account: 'Compte',
  metrics: { posts: 'publications' },
  metricTitles: { posts: 'Publications' },
  headline: (h) => `@${h.username} — n°${h.rank} sur ${h.total} comptes par ${h.metric}`,
  notRanked: (username, metric) =>
    `@${username} — pas encore classé (aucune de ses ${metric} dans la période)`,
  followers: (count) => `${count} abonnés`,
  growth: (delta) => `${delta} sur la période`,
  noFollowers: 'Aucun relevé d’abonnés pour l’instant.',
  followerCurve: (username) => `Abonnés de @${username}, par heure`,
  leaderboardCaption: (shown) => `Les ${shown} premiers comptes`,
  updatedAt: (time) => `mis à jour à ${time}`,
  updateFailed: 'échec de la mise à jour, nouvel essai…',
  notFound: 'Page introuvable',
  notFoundHint: 'Cette adresse ne mène nulle part. Retour aux campagnes :',
  internalError: 'Une erreur est survenue de notre côté. Réessayez dans un instant.',
  back: 'toutes les campagnes',
};

export const dictionaries: Record<Lang, Dictionary> = { en, fr };

export function isLang(value: string): value is Lang {
  return (languages as readonly string[]).includes(value);
}
