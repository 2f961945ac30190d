import type { AccountPageData, CampaignPageData, ScreenPageData } from '../api-contract.ts';

/**
 * One bundle for every page: each part starts when its page's element is there. The pages come
 * from the server with their data, so the browser paints them first; the parts (Chart.js with
 * them) are evaluated after that first paint: imported dynamically, esbuild keeps them in this
 * bundle but runs their code only when asked.
 */

// Avatars are served by the dashboard (server/routes/avatars.ts), initials when there is no image;
// should one still fail (an account removed meanwhile), keep its space (no layout jump) but not the
// broken-image icon. Capture phase: error events do not bubble.
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

/** A frame (the first paint), then a task: the callback runs once the page is on screen. */
const afterPaint = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

void (async () => {
  await afterPaint();
  const campaign = embedded('initial-data') as CampaignPageData | undefined;
  if (campaign) (await import('./campaign.ts')).startCampaignPage(campaign);
  const account = embedded('account-data') as AccountPageData | undefined;
  if (account) (await import('./account.ts')).startAccountPage(account);
  const screen = embedded('screen-data') as ScreenPageData | undefined;
  if (screen) (await import('./screen.tsx')).startScreen(screen);
  const admin = document.getElementById('admin');
  if (admin) (await import('./admin.ts')).startAdmin(admin);
})();
