import type { Network } from '../networks/types.ts';
import { formatDelta, formatNumber } from './format.ts';
import { dictionaries, type Lang } from './i18n.ts';

/** How each network is named to people. */
export const networkLabels: Record<Network, string> = { x: 'X', bluesky: 'Bluesky', mastodon: 'Mastodon' };

/** The parts of the headline the overview answers (src/rank/overview.ts `Headline`). */
export interface HeadlineParts {
  username: string;
  followers: number | null;
  followerGrowth: number | null;
  rank: number | null;
  total: number;
  networks: ReadonlyArray<{ network: Network; rank: number | null; total: number }>;
}

/**
 * "@OpenData_Forum: 512 followers (+318 during the event), n°3 of 4,211 accounts by posts", and on
 * a campaign of several networks the rank on each: "… — n°3 of 4,211 on X · n°1 of 380 on Bluesky".
 * The report page and the PDF say it alike.
 */
export function headlineSentence(lang: Lang, h: HeadlineParts): string {
  const t = dictionaries[lang];
  const sentence =
    h.followers !== null && h.rank !== null
      ? t.reportHeadline({
          username: h.username,
          followers: formatNumber(lang, h.followers),
          growth: formatDelta(lang, h.followerGrowth ?? 0),
          rank: formatNumber(lang, h.rank),
          total: formatNumber(lang, h.total),
        })
      : t.reportNoHeadline(h.username);
  const perNetwork = networkRanks(lang, h.networks);
  return perNetwork ? `${sentence} — ${perNetwork}` : sentence;
}

/** "n°3 of 4,211 on X · n°1 of 380 on Bluesky"; null for a campaign of one network (its rank says it all). */
export function networkRanks(lang: Lang, networks: HeadlineParts['networks']): string | null {
  if (networks.length < 2) return null;
  const t = dictionaries[lang];
  return networks
    .map((on) =>
      on.rank === null
        ? t.notRankedOn(networkLabels[on.network])
        : t.rankOn(formatNumber(lang, on.rank), formatNumber(lang, on.total), networkLabels[on.network]),
    )
    .join(' · ');
}
