import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CoverageJson } from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { stripState } from '../../src/present/coverage-strip.ts';
import { dictionaries } from '../../src/present/i18n.ts';
import { loadDemoCampaign } from '../support/export-fixtures.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

/**
 * The live page's coverage strip: one cell per hour of the coverage record, coloured by its state,
 * the reason on hover, and the stretches that were not complete as text (the fixture has one
 * rate-limited hour).
 */

let t: TestDatabase;
let app: ReturnType<typeof createDashboard>;

beforeAll(async () => {
  t = await createTestDatabase();
  const demo = await loadDemoCampaign(t.db, { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 });
  app = createDashboard({ db: t.db, clock: new ManualClock(demo.observedAt), demo: true, log: silentLog });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('the coverage strip', () => {
  test.each(['en', 'fr'] as const)('%s: every hour of the record, described in words', async (lang) => {
    const words = dictionaries[lang].coverage;
    const record = (await (await app.request('/api/v1/campaigns/ogp16/coverage')).json()) as CoverageJson;
    const html = await (await app.request(`/campaigns/ogp16?lang=${lang}`)).text();
    const strip = /<div class="coverage-strip" role="img" aria-label="([^"]*)">(.*?)<\/div>/s.exec(html);
    const cells = [...(strip?.[2] ?? '').matchAll(/data-state="(\w+)" title="([^"]*)"/g)];
    expect(cells.map((cell) => cell[1])).toEqual(record.hours.map((hour) => stripState(hour)));
    const complete = record.hours.filter((hour) => stripState(hour) === 'complete').length;
    expect(complete).toBeLessThan(record.hours.length);
    expect(strip?.[1]).toContain(words.summary(complete, record.hours.length));
    const partial = cells.find((cell) => cell[1] === 'partial');
    expect(partial?.[2]).toContain(words.rateLimited.replaceAll("'", '&#39;'));
    const gaps = /<ul class="coverage-gaps">(.*?)<\/ul>/s.exec(html)?.[1] ?? '';
    expect(gaps.match(/<li data-state="partial">/g)).toHaveLength(1);
  });
});
