import { Hono } from 'hono';
import { campaignBudgetStatus } from '../../../src/budget/status.ts';
import { adminLists, listCampaigns } from '../../../src/db/campaign-repository.ts';
import { recentRuns, requestCounts } from '../../../src/db/run-log-repository.ts';
import { unresolvedHandles } from '../../../src/db/unresolved-handles.ts';
import { dictionaries } from '../../../src/present/i18n.ts';
import { langOf, switchLanguageHref } from '../../views/language.ts';
import { Layout } from '../../views/layout.tsx';
import { OpsPage } from '../../views/ops-page.tsx';
import { buildAssets } from '../client-bundle.ts';
import { queueStates } from '../queue-inspection.ts';
import type { DashboardContext } from './context.ts';

/** `/ops`: what collection is doing, for operators; its forms are the admin's. */
export function opsRoutes({ db, clock, demo, queues, adminToken }: DashboardContext): Hono {
  return new Hono().get('/ops', async (c) => {
    const lang = langOf(c);
    const now = clock.now();
    const [campaigns, runs, usage, states, assets, unresolved] = await Promise.all([
      listCampaigns(db),
      recentRuns(db, 30),
      requestCounts(db, now),
      queues ? queueStates(queues) : undefined,
      buildAssets(),
      unresolvedHandles(db),
    ]);
    const withLists = await Promise.all(
      campaigns.map(async (campaign) => ({ ...campaign, lists: await adminLists(db, campaign.id) })),
    );
    // Priced at the published rates: the run log holds each run's cost as the workers priced it.
    const budgets = new Map(
      await Promise.all(
        campaigns.map(
          async (campaign) => [campaign.id, await campaignBudgetStatus(db, campaign.id, now)] as const,
        ),
      ),
    );
    c.header('Cache-Control', 'no-store');
    c.header('Vary', 'Accept-Language');
    return c.html(
      <Layout
        lang={lang}
        title={`${dictionaries[lang].opsTitle} — ${dictionaries[lang].appName}`}
        demo={demo}
        switchHref={switchLanguageHref(c, lang)}
        assets={assets}
        script
      >
        <OpsPage
          lang={lang}
          view={{
            queues: states,
            runs,
            usage,
            budgets,
            campaigns: withLists,
            adminEnabled: adminToken !== undefined,
            unresolved,
            timeZone: campaigns[0]?.timezone ?? 'UTC',
          }}
        />
      </Layout>,
    );
  });
}
