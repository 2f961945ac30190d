import { readFile } from 'node:fs/promises';
import parser from 'cron-parser';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { alertsSchema } from '../alerts/settings.ts';

/** The campaign file (YAML or JSON), as documented in the README. */

const username = z
  .string()
  .transform((name) => name.replace(/^@/, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'expected an X username: 1–15 letters, digits or _'));

const timezone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as Europe/Paris' },
);

const cron = z.string().refine(
  (pattern) => {
    try {
      parser.parseExpression(pattern);
      return pattern.trim().split(/\s+/).length === 5;
    } catch {
      return false;
    }
  },
  { message: 'expected a 5-field cron pattern such as "*/2 * * * *"' },
);

// Recent search takes queries of up to 512 characters on self-serve tiers.
const query = z
  .string()
  .trim()
  .min(1, 'expected a non-empty X search query')
  .max(512, 'X queries are 512 characters at most')
  .superRefine((text, ctx) => {
    const problem = queryProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/**
 * What X would refuse with a 400 at the first poll, said when the file is applied instead: control
 * characters, unbalanced quotes or parentheses, an operator with nothing after it. (X checks the
 * rest of its grammar; a query it refuses later fails its polls with X's own message.)
 */
function queryProblem(text: string): string | null {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds
  if (/[\u0000-\u001f\u007f]/.test(text))
    return 'X queries cannot hold control characters (tabs, line breaks…)';
  if ((text.match(/"/g) ?? []).length % 2 !== 0) return 'unbalanced " in the X query';
  let depth = 0;
  for (const char of text.replace(/"[^"]*"/g, '')) {
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    if (depth < 0) return 'a ) without its ( in the X query';
  }
  if (depth !== 0) return 'a ( without its ) in the X query';
  const dangling = text.split(/\s+/).find((word) => /^(-|#|@|\$|[a-z_]+:)$/i.test(word));
  if (dangling) return `"${dangling}" needs something after it in the X query`;
  return null;
}

const instant = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time with offset' });

/**
 * What the campaign may spend on X reads per UTC month, in US dollars (estimated from the X_PRICE_*
 * price table). Collection pauses before it would pass it; follower snapshots of the watchlist go on.
 */
const budget = z.strictObject({
  monthly_usd: z
    .number({ message: 'expected an amount in US dollars, such as 50' })
    .positive('expected an amount in US dollars above 0, such as 50')
    .max(10_000_000, 'expected an amount in US dollars, such as 50')
    .refine((usd) => Math.abs(Math.round(usd * 100) - usd * 100) < 1e-6, {
      message: 'expected dollars and cents at most, such as 49.99',
    }),
});

export const defaultSchedule = { live: '*/2 * * * *', snapshots: '0 * * * *', nightly: '0 2 * * *' };

export const campaignFileSchema = z
  .strictObject({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lower-case letters, digits and dashes'),
    name: z.string().trim().min(1).max(200),
    timezone,
    window: z.strictObject({ start: instant, end: instant }),
    home: username,
    queries: z.array(query).min(1, 'expected at least one query').max(50),
    watchlist: z.array(username).max(1000).default([]),
    schedule: z.strictObject({ live: cron, snapshots: cron, nightly: cron }).partial().default({}),
    alerts: alertsSchema.optional(),
    budget: budget.optional(),
  })
  .refine((file) => new Date(file.window.end) > new Date(file.window.start), {
    message: 'window.end must be after window.start',
    path: ['window', 'end'],
  })
  .transform((file) => ({
    ...file,
    window: { start: new Date(file.window.start), end: new Date(file.window.end) },
    queries: [...new Set(file.queries)],
    watchlist: [...new Set(file.watchlist.map((name) => name.toLowerCase()))]
      .map((lower) => file.watchlist.find((name) => name.toLowerCase() === lower) ?? lower)
      .filter((name) => name.toLowerCase() !== file.home.toLowerCase()),
    schedule: { ...defaultSchedule, ...file.schedule },
  }));

export type CampaignFile = z.output<typeof campaignFileSchema>;

export class CampaignFileError extends Error {
  override name = 'CampaignFileError';
}

/** Parses campaign file text; one line per problem, prefixed with the file's name. */
export function parseCampaignFile(text: string, source: string): CampaignFile {
  let data: unknown;
  try {
    data = source.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CampaignFileError(
      `${source}: not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${reason}`,
    );
  }
  const parsed = campaignFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new CampaignFileError(`${source}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export async function readCampaignFile(path: string): Promise<CampaignFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CampaignFileError(`${path}: cannot read the campaign file (${code ?? 'unknown error'})`);
  }
  return parseCampaignFile(text, path);
}
