import type { AccountPageData, CampaignPageData } from '../contract.ts';
import { startAccountPage } from './account.ts';
import { startAdmin } from './admin.ts';
import { startCampaignPage } from './campaign.ts';

/** One bundle for every page: each part starts when its page's element is there. */

// Avatars are X's images: offline, or once X moves them, they fail. Keep their space (no layout
// jump) but not the broken-image icon. Capture phase: error events do not bubble.
const hideBrokenImage = (img: HTMLImageElement) => {
  img.style.visibility = 'hidden';
};
document.addEventListener(
  'error',
  (event) => {
    if (event.target instanceof HTMLImageElement) hideBrokenImage(event.target);
  },
  true,
);
for (const img of document.images) if (img.complete && img.naturalWidth === 0) hideBrokenImage(img);

const embedded = (id: string) => {
  const text = document.getElementById(id)?.textContent;
  return text ? JSON.parse(text) : undefined;
};

const campaign = embedded('initial-data') as CampaignPageData | undefined;
if (campaign) startCampaignPage(campaign);
const account = embedded('account-data') as AccountPageData | undefined;
if (account) startAccountPage(account);
const admin = document.getElementById('admin');
if (admin) startAdmin(admin);
