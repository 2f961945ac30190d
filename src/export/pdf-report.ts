import PDFDocument from 'pdfkit';
import { hourReason, stripColors, stripRuns, stripState, stripStates } from '../present/coverage-strip.ts';
import {
  formatDateTime,
  formatDay,
  formatDelta,
  formatMetricValue,
  formatNumber,
  formatTick,
  formatWindow,
} from '../present/format.ts';
import { headlineSentence, networkLabels } from '../present/headline.ts';
import { dictionaries, type Lang, locales } from '../present/i18n.ts';
import { metricDefinitions } from '../present/metric-definitions.ts';
import type { CoverageHour } from '../rank/coverage.ts';
import type { Leaderboard, LeaderboardRow } from '../rank/leaderboard.ts';
import { followerChartSeries } from './datasets.ts';
import { fontFiles } from './fonts.ts';
import type { PngChart } from './png.ts';
import type { ReportContent } from './report-content.ts';

/**
 * The post-event report as a PDF (A4), laid out by pdfkit on the server: real text in DejaVu Sans
 * embedded (subset) from the npm package, so it is searchable, copyable and has every French
 * accent; the two time charts drawn by Chart.js as the PNG exports are (src/export/png.ts), at
 * about 280 dpi across the page; the share of voice and the coverage strip drawn as vectors.
 *
 * Sections: cover with the headline and totals, follower growth, rank history, leaderboards (posts,
 * engagement, mentions), share of voice, top posts, coverage record, metric definitions.
 */

const margin = 48;
const pageWidth = 595.28;
const pageHeight = 841.89;
const width = pageWidth - 2 * margin;
/** Charts laid out at 1000×500 and drawn at 2×: 2000 px across 499 pt (6.9 in) is about 290 dpi. */
const chartLayout = { width: 1000, height: 500 };
const chartScale = 2;
const ink = '#1c2430';
const muted = '#5b6572';
const accent = '#1d5fa8';
const homeFill = '#e8f0fa';

/**
 * The PDF, chunk by chunk as pdfkit writes it: pages leave as they are finished (no buffered
 * pages), while the charts of later pages are still being drawn.
 */
export async function* reportPdfChunks(content: ReportContent, lang: Lang): AsyncGenerator<Uint8Array> {
  const t = dictionaries[lang];
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: margin, bottom: margin + 14, left: margin, right: margin },
    lang: locales[lang],
    displayTitle: true,
    info: {
      Title: t.reportTitle(content.campaign.name),
      Subject: headline(content, lang),
      Creator: 'campaign-tracker',
      // The application clock, as every export's "exported at" (a replayed demo dates it in 2016).
      CreationDate: content.asOf,
    },
  });
  const laidOut = layOut(doc, content, lang).then(
    () => doc.end(),
    (error: unknown) => doc.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  for await (const chunk of doc) yield chunk as Uint8Array;
  await laidOut;
}

/** "@OpenData_Forum: 512 followers (+318 during the event), n°3 of 4,211 accounts by posts" */
export function headline(content: ReportContent, lang: Lang): string {
  return headlineSentence(lang, content.overview.headline);
}

type Doc = PDFKit.PDFDocument;

async function layOut(doc: Doc, content: ReportContent, lang: Lang): Promise<void> {
  const t = dictionaries[lang];
  const { campaign } = content;
  doc.registerFont('regular', fontFiles.regular);
  doc.registerFont('bold', fontFiles.bold);
  let page = 1;
  const footer = () => {
    // Inside the bottom margin: lifted for the footer so that pdfkit does not start a new page.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(muted)
      .text(`${campaign.name} — ${t.pdf.page(page)}`, margin, pageHeight - margin + 4, {
        width,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
    doc.x = margin;
    doc.y = margin;
  };
  footer();
  doc.on('pageAdded', () => {
    page += 1;
    footer();
  });

  cover(doc, content, lang);

  doc.addPage();
  heading(doc, t.pdf.followerGrowth);
  note(doc, t.pdf.followerGrowthNote);
  await chart(doc, lang, t.pdf.chartEmpty, {
    ...chartFrame(content, lang),
    yLabel: t.axisFollowersGained,
    series: followerChartSeries(lang, content.followers),
  });
  followerTable(doc, content, lang);

  heading(doc, t.pdf.rankHistory);
  note(doc, t.pdf.rankHistoryNote(campaign.home_username));
  await chart(doc, lang, t.pdf.chartEmpty, {
    ...chartFrame(content, lang),
    rank: true,
    yLabel: t.rank,
    series: [
      {
        label: `@${campaign.home_username}`,
        emphasis: true,
        points: content.rankHistory.map((point) => ({ at: point.at.toISOString(), value: point.rank })),
      },
    ],
  });

  doc.addPage();
  heading(doc, t.pdf.leaderboards);
  for (const board of content.boards) leaderboardTable(doc, board, lang);

  heading(doc, t.pdf.shareOfVoice);
  shareOfVoice(doc, content, lang);

  heading(doc, t.topPosts);
  topPosts(doc, content, lang);

  doc.addPage();
  heading(doc, t.pdf.coverageRecord);
  coverageRecord(doc, content, lang);

  heading(doc, t.pdf.definitions);
  for (const definition of metricDefinitions[lang].filter((one) => !one.spreadsheet)) {
    keepTogether(doc, 40);
    doc.font('bold').fontSize(9).fillColor(ink).text(definition.topic, margin, doc.y, { width });
    doc.font('regular').fontSize(9).fillColor(ink).text(definition.text, { width });
    doc.moveDown(0.5);
  }
}

function cover(doc: Doc, content: ReportContent, lang: Lang) {
  const t = dictionaries[lang];
  const { campaign, overview } = content;
  const zone = campaign.timezone;
  doc
    .font('bold')
    .fontSize(10)
    .fillColor(accent)
    .text(t.report.toUpperCase(), margin, margin + 40);
  doc.moveDown(0.5);
  doc.font('bold').fontSize(24).fillColor(ink).text(campaign.name, { width });
  doc.moveDown(0.3);
  doc
    .font('regular')
    .fontSize(11)
    .fillColor(muted)
    .text(formatWindow(lang, zone, content.from, content.to));
  doc.moveDown(2);
  doc.rect(margin, doc.y, 4, 70).fill(accent);
  doc
    .font('bold')
    .fontSize(18)
    .fillColor(ink)
    .text(headline(content, lang), margin + 16, doc.y + 4, { width: width - 16 });
  doc.x = margin;
  doc.moveDown(2.5);

  const percent = percentFormat(lang);
  const figures: Array<[string, string]> = [
    [t.totalAuthors, formatNumber(lang, overview.uniqueAuthors)],
    [t.totalPosts, formatNumber(lang, overview.posts)],
    [t.totalEngagement, formatNumber(lang, overview.engagement)],
    [t.shareOfPosts(campaign.home_username), percent(overview.home.shareOfPosts)],
    [t.shareOfEngagement(campaign.home_username), percent(overview.home.shareOfEngagement)],
  ];
  heading(doc, t.campaignTotals);
  for (const [label, value] of figures) {
    const y = doc.y;
    doc
      .font('regular')
      .fontSize(11)
      .fillColor(ink)
      .text(label, margin, y, { width: width - 120 });
    doc.font('bold').text(value, margin + width - 120, y, { width: 120, align: 'right' });
    doc.x = margin;
    doc.moveDown(0.4);
  }
  doc.moveDown(1.5);
  const complete = content.coverage.hours.filter((hour) => stripState(hour) === 'complete').length;
  const lines = [
    t.pdf.generated(formatDateTime(lang, zone, content.asOf)),
    content.lastCollectedAt
      ? t.pdf.collectedUntil(formatDateTime(lang, zone, content.lastCollectedAt))
      : t.pdf.notCollected,
    content.coverage.hours.length > 0
      ? `${t.coverage.title}: ${t.coverage.summary(complete, content.coverage.hours.length)}`
      : t.coverage.noHours,
  ];
  for (const line of lines)
    doc.font('regular').fontSize(10).fillColor(muted).text(line, margin, doc.y, { width });
}

function heading(doc: Doc, text: string) {
  keepTogether(doc, 120);
  if (doc.y > margin + 1) doc.moveDown(1);
  doc.font('bold').fontSize(15).fillColor(ink).text(text, margin, doc.y, { width });
  doc.moveDown(0.4);
}

function subheading(doc: Doc, text: string) {
  keepTogether(doc, 80);
  doc.moveDown(0.6);
  doc.font('bold').fontSize(11).fillColor(ink).text(text, margin, doc.y, { width });
  doc.moveDown(0.3);
}

function note(doc: Doc, text: string) {
  doc.font('regular').fontSize(9).fillColor(muted).text(text, margin, doc.y, { width });
  doc.moveDown(0.5);
}

/** A new page unless `height` points are left on this one. */
function keepTogether(doc: Doc, height: number) {
  if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

function chartFrame(content: ReportContent, lang: Lang) {
  const t = dictionaries[lang];
  return {
    lang,
    timeZone: content.campaign.timezone,
    from: content.from.toISOString(),
    to: content.to.toISOString(),
    interval: 'hour' as const,
    xLabel: t.axisTime(content.campaign.timezone),
  };
}

async function chart(doc: Doc, lang: Lang, empty: string, options: PngChart) {
  if (options.series.every((one) => one.points.length === 0)) {
    note(doc, empty);
    return;
  }
  // Loaded when needed, as for the PNG export: Chart.js and the canvas are heavy.
  const { renderPng } = await import('./png.ts');
  const image = await renderPng({ ...options, lang }, chartLayout, chartScale);
  const height = (width * chartLayout.height) / chartLayout.width;
  keepTogether(doc, height);
  doc.image(image, margin, doc.y, { width, height });
  doc.y += height + 8;
}

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

/** A table that continues on the next page with its header repeated; `home` rows are shaded. */
function table(doc: Doc, columns: Column[], rows: Array<{ cells: string[]; home?: boolean }>) {
  const size = 9;
  const pad = 3;
  const drawHeader = () => {
    const y = doc.y;
    let x = margin;
    doc.font('bold').fontSize(size).fillColor(muted);
    for (const column of columns) {
      doc.text(column.header, x + pad, y, { width: column.width - 2 * pad, align: column.align ?? 'left' });
      x += column.width;
    }
    doc.y = Math.max(doc.y, y + size + 4);
    doc
      .moveTo(margin, doc.y)
      .lineTo(margin + width, doc.y)
      .lineWidth(0.5)
      .strokeColor(muted)
      .stroke();
    doc.y += 2;
  };
  keepTogether(doc, 3 * (size + 2 * pad) + 12);
  drawHeader();
  for (const row of rows) {
    doc.font(row.home ? 'bold' : 'regular').fontSize(size);
    const height =
      Math.max(
        ...row.cells.map((cell, i) =>
          doc.heightOfString(cell, { width: (columns[i]?.width ?? 0) - 2 * pad }),
        ),
      ) +
      2 * pad;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      drawHeader();
      doc.font(row.home ? 'bold' : 'regular').fontSize(size);
    }
    const y = doc.y;
    if (row.home) doc.rect(margin, y, width, height).fill(homeFill);
    doc.fillColor(ink);
    let x = margin;
    row.cells.forEach((cell, i) => {
      const column = columns[i];
      if (!column) return;
      doc.text(cell, x + pad, y + pad, { width: column.width - 2 * pad, align: column.align ?? 'left' });
      x += column.width;
    });
    doc.x = margin;
    doc.y = y + height;
  }
  doc.moveDown(0.5);
}

function followerTable(doc: Doc, content: ReportContent, lang: Lang) {
  const t = dictionaries[lang];
  const number = (value: number | null | undefined) =>
    value === null || value === undefined ? '—' : formatNumber(lang, value);
  const percent = (value: number | null) =>
    value === null ? '—' : formatMetricValue(lang, 'follower_growth_pct', value);
  table(
    doc,
    [
      { header: t.account, width: width - 4 * 85 },
      { header: t.pdf.followersStart, width: 85, align: 'right' },
      { header: t.pdf.followersEnd, width: 85, align: 'right' },
      { header: t.pdf.growth, width: 85, align: 'right' },
      { header: t.pdf.growthPct, width: 85, align: 'right' },
    ],
    content.followers.map((account) => ({
      home: account.isHome,
      cells: [
        `@${account.username}`,
        number(account.start?.value),
        number(account.end),
        account.growth === null ? '—' : formatDelta(lang, account.growth),
        percent(account.growthPct),
      ],
    })),
  );
}

/** The board's rows, and the home row after them when it is outside the top. */
function boardRows(board: Leaderboard): LeaderboardRow[] {
  const home = board.home;
  return home && !board.rows.some((row) => row.accountId === home.accountId)
    ? [...board.rows, home]
    : board.rows;
}

function leaderboardTable(doc: Doc, board: Leaderboard, lang: Lang) {
  const t = dictionaries[lang];
  const metric = t.metrics[board.metric] ?? board.metric;
  const title = t.pdf.boardTitle(metric, formatNumber(lang, board.total));
  subheading(doc, board.network === 'all' ? title : `${title} — ${networkLabels[board.network]}`);
  // Rows of several networks say which network each account is on.
  const several = board.network === 'all' && new Set(boardRows(board).map((row) => row.network)).size > 1;
  const rows = boardRows(board);
  if (rows.length === 0) {
    note(doc, t.pdf.boardEmpty);
    return;
  }
  table(
    doc,
    [
      { header: t.rank, width: 45, align: 'right' },
      { header: t.account, width: 150 },
      { header: '', width: width - 45 - 150 - 90 },
      { header: t.metricTitles[board.metric] ?? board.metric, width: 90, align: 'right' },
    ],
    rows.map((row) => ({
      home: row.isHome,
      cells: [
        formatNumber(lang, row.rank),
        several ? `@${row.username} · ${networkLabels[row.network]}` : `@${row.username}`,
        row.name,
        formatMetricValue(lang, board.metric, row.value),
      ],
    })),
  );
}

/** Horizontal bars: each top account's part of the campaign posts, then every other account. */
function shareOfVoice(doc: Doc, content: ReportContent, lang: Lang) {
  const t = dictionaries[lang];
  const { overview } = content;
  note(doc, t.pdf.shareNote);
  const board = content.boards.find((one) => one.metric === 'posts' && one.network === 'all');
  const rows = board ? boardRows(board) : [];
  if (overview.posts === 0 || rows.length === 0) {
    note(doc, t.pdf.chartEmpty);
    return;
  }
  const top = board?.rows.reduce((sum, row) => sum + row.value, 0) ?? 0;
  const bars = [
    ...rows.map((row) => ({
      label: `@${row.username}`,
      share: row.value / overview.posts,
      home: row.isHome,
    })),
    { label: t.pdf.otherAccounts, share: Math.max(0, overview.posts - top) / overview.posts, home: false },
  ];
  const percent = percentFormat(lang);
  const labelWidth = 150;
  const valueWidth = 55;
  const barSpace = width - labelWidth - valueWidth;
  const largest = Math.max(...bars.map((bar) => bar.share), 0.0001);
  const rowHeight = 15;
  keepTogether(doc, bars.length * rowHeight + 10);
  for (const bar of bars) {
    const y = doc.y;
    doc
      .font(bar.home ? 'bold' : 'regular')
      .fontSize(9)
      .fillColor(ink)
      .text(bar.label, margin, y + 2, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
    const length = Math.max(0.5, (bar.share / largest) * (barSpace - 8));
    doc.rect(margin + labelWidth, y + 2, length, rowHeight - 5).fill(bar.home ? accent : '#9fb8d6');
    doc
      .fillColor(ink)
      .text(percent(bar.share), margin + labelWidth + barSpace, y + 2, { width: valueWidth, align: 'right' });
    doc.x = margin;
    doc.y = y + rowHeight;
  }
  doc.moveDown(0.5);
  if (overview.home.shareOfEngagement !== null) {
    note(
      doc,
      t.pdf.engagementShare(content.campaign.home_username, percent(overview.home.shareOfEngagement)),
    );
  }
}

function topPosts(doc: Doc, content: ReportContent, lang: Lang) {
  const t = dictionaries[lang];
  const posts = content.overview.topPosts;
  if (posts.length === 0) {
    note(doc, t.pdf.noPosts);
    return;
  }
  posts.forEach((post, index) => {
    keepTogether(doc, 60);
    const counts = [
      `${t.metricTitles.engagement} ${formatNumber(lang, post.engagement)}`,
      `${formatNumber(lang, post.likes)} ${t.likes}`,
      `${formatNumber(lang, post.reposts)} ${t.reposts}`,
      `${formatNumber(lang, post.replies)} ${t.replies}`,
      `${formatNumber(lang, post.quotes)} ${t.quotes}`,
    ].join(' · ');
    doc
      .font('bold')
      .fontSize(9.5)
      .fillColor(ink)
      .text(
        `${index + 1}. @${post.username} — ${formatDateTime(lang, content.campaign.timezone, post.createdAt)}`,
        {
          width,
        },
      );
    doc.font('regular').fontSize(9.5).fillColor(ink).text(post.text.replace(/\s+/g, ' ').trim(), { width });
    doc.font('regular').fontSize(8.5).fillColor(muted).text(counts, { width });
    doc.moveDown(0.6);
  });
}

/** The strip (one row per day of the campaign's timezone, one cell per hour), its legend and the runs. */
function coverageRecord(doc: Doc, content: ReportContent, lang: Lang) {
  const t = dictionaries[lang];
  const zone = content.campaign.timezone;
  const hours = content.coverage.hours;
  note(doc, t.pdf.coverageNote);
  if (hours.length === 0) {
    note(doc, t.coverage.noHours);
    return;
  }
  const days = new Map<string, CoverageHour[]>();
  for (const hour of hours) {
    const day = formatDay(lang, zone, hour.at);
    days.set(day, [...(days.get(day) ?? []), hour]);
  }
  const labelWidth = 60;
  // 25 cells: a day when clocks go back has 25 hours.
  const cell = (width - labelWidth) / 25;
  const rowHeight = 14;
  keepTogether(doc, days.size * rowHeight + 40);
  for (const [day, dayHours] of days) {
    const y = doc.y;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(ink)
      .text(day, margin, y + 3, { width: labelWidth - 4 });
    dayHours.forEach((hour, i) => {
      doc
        .rect(margin + labelWidth + i * cell, y, cell - 1, rowHeight - 2)
        .fill(stripColors[stripState(hour)]);
    });
    doc.y = y + rowHeight;
  }
  doc.moveDown(0.5);
  let x = margin;
  const y = doc.y;
  for (const state of stripStates) {
    doc.rect(x, y + 1, 9, 9).fill(stripColors[state]);
    const label = t.coverage.states[state] ?? state;
    doc
      .font('regular')
      .fontSize(8.5)
      .fillColor(ink)
      .text(label, x + 13, y + 1, { lineBreak: false });
    x += 13 + doc.widthOfString(label) + 18;
  }
  doc.x = margin;
  doc.y = y + 18;
  const complete = hours.filter((hour) => stripState(hour) === 'complete').length;
  doc
    .font('bold')
    .fontSize(9.5)
    .fillColor(ink)
    .text(t.coverage.summary(complete, hours.length), margin, doc.y, { width });
  doc.moveDown(0.4);
  const hourMs = 3_600_000;
  for (const run of stripRuns(t, hours)) {
    if (run.state === 'complete') continue;
    const span = `${formatTick(lang, zone, run.first.at)} → ${formatTick(lang, zone, new Date(run.last.at.getTime() + hourMs))}`;
    keepTogether(doc, 14);
    const y0 = doc.y;
    doc.rect(margin, y0 + 2, 7, 7).fill(stripColors[run.state]);
    doc
      .font('regular')
      .fontSize(8.5)
      .fillColor(ink)
      .text(`${span}: ${hourReason(t, run.first)}`, margin + 12, y0, { width: width - 12 });
    doc.x = margin;
  }
  doc.moveDown(0.6);
  const imported = content.followers
    .map((account) => ({
      username: account.username,
      readings: account.points.filter((point) => point.source === 'imported').length,
    }))
    .filter((account) => account.readings > 0);
  note(
    doc,
    imported.length > 0
      ? t.pdf.importedReadings(
          imported
            .map((account) => `@${account.username} (${formatNumber(lang, account.readings)})`)
            .join(', '),
        )
      : t.pdf.noImported,
  );
}

function percentFormat(lang: Lang) {
  const format = new Intl.NumberFormat(locales[lang], { style: 'percent', maximumFractionDigits: 1 });
  return (share: number | null) => (share === null ? '—' : format.format(share));
}
