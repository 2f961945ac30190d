import type { FC } from 'hono/jsx';
import type { Campaign } from '../../src/db/schema.ts';
import { formatWindow } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';

export const CampaignsPage: FC<{ lang: Lang; campaigns: Campaign[] }> = ({ lang, campaigns }) => {
  const t = dictionaries[lang];
  return (
    <>
      <h1>{t.campaigns}</h1>
      {campaigns.length === 0 ? (
        <p>{t.noCampaigns}</p>
      ) : (
        <ul class="campaigns">
          {campaigns.map((campaign) => (
            <li>
              <a href={`/campaigns/${encodeURIComponent(campaign.slug)}?lang=${lang}`}>{campaign.name}</a>
              <span class="muted">
                {' — '}
                {formatWindow(lang, campaign.timezone, campaign.window_start, campaign.window_end)} · @
                {campaign.home_username}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
};
