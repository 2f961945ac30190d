import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CampaignOverviewJson, CoverageJson } from '../../dashboard/api-contract.ts';
import { createDashboard } from '../../dashboard/server/app.ts';
import { ManualClock } from '../../src/clock.ts';
import { formatDelta, formatNumber } from '../../src/present/format.ts';
import { dictionaries } from '../../src/present/i18n.ts';
import { type DemoCampaign, loadDemoCampaign } from '../support/export-fixtures.ts';
import { createTestDatabase, silentLog, type TestDatabase } from '../support/services.ts';

const run = promisify(execFile);

/**
 * The PDF report (`GET …/export/report.pdf`) read back with poppler, as a person's PDF reader
 * would: A4 pages, the fonts embedded, every section's heading and the headline found as text, and
 * page 1 drawn (not blank). The PDFs go to test-results/.
 */

let t: TestDatabase;
let demo: DemoCampaign;
let app: ReturnType<typeof createDashboard>;
let dir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  demo = await loadDemoCampaign(t.db, { name: 'ogp16-small', seed: 7, accounts: 60, posts: 600 });
  app = createDashboard({ db: t.db, clock: new ManualClock(demo.observedAt), demo: true, log: silentLog });
  dir = await mkdtemp(join(tmpdir(), 'tracker-report-'));
}, 120_000);

afterAll(async () => {
  await app?.close();
  await t?.drop();
});

/** Text as pdftotext gives it, with every run of spaces, line breaks and no-break spaces as one space. */
const flat = (text: string) => text.replace(/[\s\u00a0\u202f]+/g, ' ');

const sections = {
  en: [
    'Campaign totals',
    'Follower growth',
    'Rank history',
    'Leaderboards',
    'By posts',
    'By engagement',
    'By mentions',
    'Share of voice',
    'Top posts',
    'Coverage record',
    'Metric definitions',
  ],
  fr: [
    'Totaux de la campagne',
    'Croissance des abonnés',
    'Évolution du rang',
    'Classements',
    'Par publications',
    'Par engagement',
    'Par mentions',
    'Part de voix',
    'Publications les plus engageantes',
    'Registre de couverture',
    'Définitions des indicateurs',
  ],
};

describe('the PDF report', { timeout: 120_000 }, () => {
  test.each(['en', 'fr'] as const)('%s: A4 pages, embedded fonts, every section as text', async (lang) => {
    const response = await app.request(`/api/v1/campaigns/ogp16/export/report.pdf?lang=${lang}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="ogp16-report-${lang}.pdf"`,
    );
    const pdf = Buffer.from(await response.arrayBuffer());
    await mkdir('test-results', { recursive: true });
    const file = join('test-results', `export-report-${lang}.pdf`);
    await writeFile(file, pdf);

    const info = (await run('pdfinfo', [file])).stdout;
    expect(Number(/^Pages:\s+(\d+)/m.exec(info)?.[1])).toBeGreaterThanOrEqual(2);
    expect(info).toMatch(/^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/m);

    // Every font embedded (subset), none left to the reader's machine.
    const fonts = (await run('pdffonts', [file])).stdout.split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(font).toMatch(/DejaVuSans.*\byes\s+yes\b/);

    const text = flat((await run('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout);
    const overview = (await (
      await app.request('/api/v1/campaigns/ogp16/overview')
    ).json()) as CampaignOverviewJson;
    const h = overview.headline;
    const headline = dictionaries[lang].reportHeadline({
      username: h.username,
      followers: formatNumber(lang, h.followers ?? Number.NaN),
      growth: formatDelta(lang, h.followerGrowth ?? Number.NaN),
      rank: formatNumber(lang, h.rank ?? Number.NaN),
      total: formatNumber(lang, h.total),
    });
    // The demo's pinned outcome: the home account third by posts.
    expect(headline).toMatch(
      lang === 'en' ? /, n°3 of \d+ accounts by posts$/ : /, n°3 sur \d+ comptes par publications$/,
    );
    expect(text).toContain(flat(headline));
    for (const section of sections[lang]) expect(text).toContain(section);
    // The metric definitions, from src/present/metric-definitions.ts, accents included.
    expect(text).toContain(
      lang === 'en' ? 'Standard competition ranking (1, 2, 2, 4)' : 'des valeurs égales partagent un rang',
    );
    // The coverage record: the fixture's rate-limited hour, in words.
    expect(text).toContain(dictionaries[lang].coverage.rateLimited);
    const coverage = (await (await app.request('/api/v1/campaigns/ogp16/coverage')).json()) as CoverageJson;
    expect(text).toContain(`${coverage.hours.length}`);

    // Page 1 drawn at 50 dpi: more than a few per cent of its pixels are ink.
    const prefix = join(dir, `page-${lang}`);
    await run('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    const image = await loadImage(await readFile(`${prefix}.png`));
    const canvas = createCanvas(image.width, image.height);
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let ink = 0;
    for (let i = 0; i < pixels.length; i += 4) if ((pixels[i] ?? 255) < 200) ink += 1;
    expect(ink / (image.width * image.height)).toBeGreaterThan(0.02);
  });
});
