import { readFile } from 'node:fs/promises';
import parser from 'cron-parser';
import { type Document, isNode, LineCounter, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { alertsSchema } from '../alerts/settings.ts';

/** The campaign file (YAML or JSON), as documented in the README. */

const xUsername = z
  .string()
  .transform((name) => name.replace(/^@/, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9_]{1,15}$/, 'expected an X username: 1–15 letters, digits or _'));

const hostName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A Bluesky handle is a domain name (`etalab.gouv.fr`, `opendataforum.bsky.social`); a DID is accepted too. */
const blueskyHandle = z
  .string()
  .trim()
  .transform((handle) => handle.replace(/^@/, '').toLowerCase())
  .pipe(
    z.string().refine((handle) => hostName.test(handle) || /^did:(plc|web):[a-z0-9._:%-]+$/.test(handle), {
      message: 'expected a Bluesky handle such as etalab.gouv.fr (a domain name) or a DID',
    }),
  );

/** A Mastodon account is always named with its instance: `user@instance` (the instance's host, with a port for a test server). */
const mastodonAccount = z
  .string()
  .trim()
  .transform((acct) => acct.replace(/^@/, ''))
  .pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*@[A-Za-z0-9.-]+(:[0-9]{1,5})?$/,
        'expected a Mastodon account with its instance, such as opendataforum@mastodon.social',
      ),
  )
  .transform((acct) => {
    const at = acct.indexOf('@');
    return `${acct.slice(0, at)}@${acct.slice(at + 1).toLowerCase()}`;
  });

/** A handle on each network, checked and normalised as the campaign file does (the account routes too). */
export const handleSchemas = { x: xUsername, bluesky: blueskyHandle, mastodon: mastodonAccount } as const;

const accountsOfEntity = {
  x: xUsername.optional(),
  bluesky: blueskyHandle.optional(),
  mastodon: mastodonAccount.optional(),
};

/**
 * An organisation or person the campaign follows: a name and its account on each network. A bare
 * string is an X username, as in the X-only files of the first wave.
 */
const entity = z.union([
  xUsername.transform((x) => ({ name: x, x, bluesky: undefined, mastodon: undefined })),
  z
    .strictObject({ name: z.string().trim().min(1).max(200), ...accountsOfEntity })
    .refine((e) => e.x ?? e.bluesky ?? e.mastodon, {
      message: 'expected at least one account: x, bluesky or mastodon',
    }),
]);

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

/** A Bluesky search (`app.bsky.feed.searchPosts` syntax), e.g. `#OGP16`. */
const blueskyQuery = z
  .string()
  .trim()
  .min(1, 'expected a non-empty Bluesky search')
  .max(300, 'Bluesky searches are 300 characters at most');

const mastodonTag = z
  .string()
  .trim()
  .transform((tag) => tag.replace(/^#/, ''))
  .pipe(z.string().regex(/^[\p{L}\p{N}_]{1,100}$/u, 'expected a hashtag: letters, digits or _'));

/**
 * A Mastodon instance: a host name (`mastodon.social`, meaning https://mastodon.social/) or a base
 * URL (`http://127.0.0.1:4200/`, for the stand-in or any Mastodon-compatible server). Its name for
 * people is its host.
 */
const mastodonInstance = z.string().transform((text, ctx) => {
  const value = text.trim();
  const url = /^https?:\/\//i.test(value)
    ? URL.parse(value)
    : hostName.test(value)
      ? URL.parse(`https://${value}/`)
      : null;
  if (!url || url.search || url.hash || url.username) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected an instance host such as mastodon.social, or a base URL',
    });
    return z.NEVER;
  }
  const baseUrl = url.href.endsWith('/') ? url.href : `${url.href}/`;
  return { name: url.host, baseUrl };
});

/** The X-only form (a list of X queries) or one list per network. */
const queries = z.union([
  z.array(query).min(1, 'expected at least one query').max(50),
  z
    .strictObject({
      x: z.array(query).max(50).default([]),
      bluesky: z.array(blueskyQuery).max(50).default([]),
      mastodon: z
        .strictObject({
          tags: z.array(mastodonTag).min(1, 'expected at least one tag').max(20),
          instances: z.array(mastodonInstance).min(1, 'expected at least one instance').max(20),
        })
        .optional(),
    })
    .refine((q) => q.x.length + q.bluesky.length + (q.mastodon ? 1 : 0) > 0, {
      message: 'expected at least one query on one network',
    }),
]);

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
    home: entity,
    queries,
    watchlist: z.array(entity).max(1000).default([]),
    schedule: z.strictObject({ live: cron, snapshots: cron, nightly: cron }).partial().default({}),
    alerts: alertsSchema.optional(),
    budget: budget.optional(),
  })
  .refine((file) => new Date(file.window.end) > new Date(file.window.start), {
    message: 'window.end must be after window.start',
    path: ['window', 'end'],
  })
  .transform((file) => {
    const byNetwork = Array.isArray(file.queries) ? { x: file.queries, bluesky: [] } : file.queries;
    const mastodon = Array.isArray(file.queries) ? undefined : file.queries.mastodon;
    return {
      ...file,
      window: { start: new Date(file.window.start), end: new Date(file.window.end) },
      home: entityOf(file.home),
      watchlist: withoutRepeats(file.watchlist.map(entityOf), entityOf(file.home)),
      queries: {
        x: [...new Set(byNetwork.x)],
        bluesky: [...new Set(byNetwork.bluesky)],
        mastodon: mastodon
          ? {
              tags: [...new Set(mastodon.tags.map((tag) => tag.toLowerCase()))],
              instances: mastodon.instances.filter(
                (instance, i, all) => all.findIndex((other) => other.baseUrl === instance.baseUrl) === i,
              ),
            }
          : null,
      },
      schedule: { ...defaultSchedule, ...file.schedule },
    };
  });

export const campaignNetworks = ['x', 'bluesky', 'mastodon'] as const;
type CampaignNetwork = (typeof campaignNetworks)[number];

/** The home organisation or a watchlist entry: its name and its account on each network (null: none). */
export type Entity = { name: string } & Record<CampaignNetwork, string | null>;

function entityOf(e: { name: string; x?: string; bluesky?: string; mastodon?: string }): Entity {
  return { name: e.name, x: e.x ?? null, bluesky: e.bluesky ?? null, mastodon: e.mastodon ?? null };
}

/** Handles compare case-insensitively; an entry naming an account of the home entity, or one named before, is dropped. */
function withoutRepeats(entries: Entity[], home: Entity): Entity[] {
  const seen = new Set(campaignNetworks.flatMap((n) => (home[n] ? [`${n}:${home[n].toLowerCase()}`] : [])));
  const kept: Entity[] = [];
  for (const entry of entries) {
    const keys = campaignNetworks.flatMap((n) => (entry[n] ? [`${n}:${entry[n].toLowerCase()}`] : []));
    if (keys.some((key) => seen.has(key))) continue;
    for (const key of keys) seen.add(key);
    kept.push(entry);
  }
  return kept;
}

export type CampaignFile = z.output<typeof campaignFileSchema>;

export class CampaignFileError extends Error {
  override name = 'CampaignFileError';
}

/** Parses campaign file text; one line per problem, naming the file, the line (YAML) and the field. */
export function parseCampaignFile(text: string, source: string): CampaignFile {
  const json = source.endsWith('.json');
  const lines = new LineCounter();
  let data: unknown;
  let doc: Document | null = null;
  try {
    if (json) data = JSON.parse(text);
    else {
      doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
      const [error] = doc.errors;
      if (error) throw error;
      data = doc.toJS();
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CampaignFileError(`${source}: not valid ${json ? 'JSON' : 'YAML'}: ${reason}`);
  }
  const parsed = campaignFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap(closestIssues).map((issue) => {
      const line = doc ? lineOf(doc, lines, issue.path) : null;
      return `${line ? `line ${line}, ` : ''}${issue.path.join('.') || '(file)'}: ${issue.message}`;
    });
    throw new CampaignFileError(`${source}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * A value that fits no form of a union (a watchlist entry that is neither a username nor an
 * object) is explained by the form of its own type: "expected an X username", not "Invalid input".
 */
function closestIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const fits = issue.errors.find(
    (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  if (!fits) return [issue];
  return fits.flatMap((i) => closestIssues({ ...i, path: [...issue.path, ...i.path] }));
}

/** The line of the deepest node of `path` the YAML holds (a missing key: its parent's line). */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | null {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return null;
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

/**
 * The campaign file as YAML, in the form `parseCampaignFile` reads back to the same campaign: what
 * the dashboard's download gives (dashboard/server/routes/campaign-file.ts), so the file stays the
 * source a team versions. The short forms are kept where they say it all (an X-only entity is its
 * username, X-only queries a list); defaults are written out, so the file shows what is in force.
 */
export function campaignFileYaml(file: CampaignFile): string {
  const entity = (e: Entity) =>
    e.x && e.name === e.x && !e.bluesky && !e.mastodon
      ? e.x
      : {
          name: e.name,
          ...Object.fromEntries(
            campaignNetworks.flatMap((network) => (e[network] ? [[network, e[network]]] : [])),
          ),
        };
  const { x, bluesky, mastodon } = file.queries;
  const document = {
    slug: file.slug,
    name: file.name,
    timezone: file.timezone,
    window: {
      start: localInstant(file.window.start, file.timezone),
      end: localInstant(file.window.end, file.timezone),
    },
    home: entity(file.home),
    queries:
      bluesky.length === 0 && !mastodon
        ? x
        : {
            ...(x.length > 0 ? { x } : {}),
            ...(bluesky.length > 0 ? { bluesky } : {}),
            ...(mastodon
              ? { mastodon: { tags: mastodon.tags, instances: mastodon.instances.map((i) => i.baseUrl) } }
              : {}),
          },
    watchlist: file.watchlist.map(entity),
    schedule: file.schedule,
    ...(file.alerts ? { alerts: file.alerts } : {}),
    ...(file.budget ? { budget: file.budget } : {}),
  };
  return stringify(document, { lineWidth: 0 });
}

/** `2016-12-07T00:00:00+01:00`: an instant as the campaign's people write it, in its timezone. */
function localInstant(at: Date, timeZone: string): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  const sign = match?.[1] === '-' ? -1 : 1;
  const offsetMs = match ? sign * (Number(match[2]) * 60 + Number(match[3])) * 60_000 : 0;
  const local = new Date(at.getTime() + offsetMs).toISOString().slice(0, 19);
  return `${local}${match ? `${match[1]}${match[2]}:${match[3]}` : '+00:00'}`;
}
