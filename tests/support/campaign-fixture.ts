import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import type { Db } from '../../src/db/database.ts';

/** An account row as the collector stores it, first and last seen at `seenAt`. */
export function accountRow(id: string, username: string, seenAt: Date, name = username) {
  return {
    id,
    username,
    name,
    description: null,
    profile_image_url: null,
    verified: false,
    created_at: null,
    first_seen_at: seenAt,
    last_seen_at: seenAt,
  };
}

/**
 * The small OGP 2016 campaign the dashboard tests share (one query, the summit's window), applied
 * from a campaign file as an operator would.
 */
export async function applyOgp16(db: Db, seenAt: Date, watchlist: string[] = []) {
  const file = parseCampaignFile(
    `slug: ogp16
name: OGP
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
${watchlist.length > 0 ? `watchlist: ${JSON.stringify(watchlist)}\n` : ''}`,
    'ogp16.yaml',
  );
  return applyCampaign(db, file, seenAt);
}
