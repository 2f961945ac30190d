import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyCampaign } from '../../src/campaigns/apply.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';
import { createScratchDatabase, spawnTracker } from '../support/processes.ts';

/**
 * Peak memory (VmHWM from /proc) of `tracker import twarc` on a generated twarc2 file of `posts`
 * posts: raw pages of 100 posts with their authors in `includes.users`, as `twarc2 search` writes
 * them. The import streams the file, so the peak should not grow with its size (target < 300 MB).
 * Run alone: `BENCH_IMPORT_POSTS=1000000 node bin/run-ts.js tests/bench/import-twarc.ts`.
 */
export async function benchImportTwarc(posts: number): Promise<Record<string, string | number>> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-twarc-'));
  const file = join(dir, 'big.jsonl');
  const database = await createScratchDatabase();
  try {
    await writeTwarcFile(file, posts);
    const bytes = (await stat(file)).size;
    await applyCampaign(
      database.db,
      parseCampaignFile(
        JSON.stringify({
          slug: 'big',
          name: 'Big',
          timezone: 'UTC',
          window: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' },
          home: 'author0',
          queries: ['#bench'],
        }),
        'big.json',
      ),
      new Date('2026-02-02T00:00:00Z'),
    );
    const started = performance.now();
    const run = spawnTracker(['import', 'twarc', file, '--campaign', 'big'], {
      DATABASE_URL: database.url,
      LOG_LEVEL: 'warn',
    });
    let peakKb = 0;
    const sampling = setInterval(() => {
      peakKb = Math.max(peakKb, vmHwmKb(run.child.pid));
    }, 250);
    const [code] = await once(run.child, 'exit');
    clearInterval(sampling);
    if (code !== 0) throw new Error(`the import failed: ${run.output()}`);
    const seconds = (performance.now() - started) / 1000;
    const stored = await database.db
      .selectFrom('campaign_posts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return {
      'posts in the file': posts,
      'file (MB)': (bytes / 2 ** 20).toFixed(0),
      'posts stored': Number(stored.n),
      seconds: seconds.toFixed(1),
      'posts/s': Math.round(Number(stored.n) / seconds),
      'peak RSS, VmHWM (MB; target < 300)': (peakKb / 1024).toFixed(0),
    };
  } finally {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Pages of 100 posts by 20,000 authors over January 2026, each page with its authors. */
async function writeTwarcFile(file: string, posts: number): Promise<void> {
  const out = createWriteStream(file);
  const authors = 20_000;
  const startMs = Date.parse('2026-01-01T00:00:00Z');
  const stepMs = Math.max(1, Math.floor((30 * 24 * 3600_000) / posts));
  for (let first = 0; first < posts; first += 100) {
    const data = [];
    const users = new Map<number, unknown>();
    for (let i = first; i < Math.min(posts, first + 100); i++) {
      const author = (i * 7919) % authors;
      const createdMs = startMs + i * stepMs;
      // Snowflake-like: the creation time in the upper bits, as X's ids.
      const id = ((BigInt(createdMs) - 1288834974657n) << 22n) + BigInt(i % 4096);
      data.push({
        id: id.toString(),
        text: `#bench post ${i} by @author${author} mentioning @author${(author + 1) % authors}`,
        author_id: String(1_000_000 + author),
        created_at: new Date(createdMs).toISOString(),
        lang: 'en',
        conversation_id: id.toString(),
        entities: {
          hashtags: [{ start: 0, end: 6, tag: 'bench' }],
          mentions: [{ start: 30, end: 40, username: `author${(author + 1) % authors}` }],
        },
        public_metrics: { retweet_count: i % 5, reply_count: i % 3, like_count: i % 17, quote_count: i % 2 },
      });
      users.set(author, {
        id: String(1_000_000 + author),
        username: `author${author}`,
        name: `Author ${author}`,
        created_at: '2015-06-01T00:00:00.000Z',
        public_metrics: {
          followers_count: 100 + author,
          following_count: 50,
          tweet_count: 1000,
          listed_count: 3,
        },
      });
    }
    const line = JSON.stringify({
      data,
      includes: { users: [...users.values()] },
      meta: { result_count: data.length },
      __twarc: {
        url: 'https://api.x.com/2/tweets/search/all?query=%23bench',
        version: '2.14.0',
        retrieved_at: new Date(Date.parse('2026-02-01T12:00:00Z') + first * 10).toISOString(),
      },
    });
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function vmHwmKb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0; // exited between two readings
  }
}

if (process.argv[1]?.endsWith('import-twarc.ts')) {
  console.table(await benchImportTwarc(Number(process.env.BENCH_IMPORT_POSTS ?? 100_000)));
  process.exit(0);
}
