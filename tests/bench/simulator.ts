import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { generateScenario, streamScenario } from '../../src/simulator/index.ts';

/**
 * Scenario generation: posts per second and peak memory of the streaming generator (the 5-million-post
 * benchmark scenario must stream in bounded memory), against the in-memory scenario that holds every
 * post. Each run is a child process of its own, so its peak RSS is its own.
 *
 * BENCH_SCENARIO_POSTS sets the size (default 500,000; 5,000,000 for the full benchmark scenario, about
 * two minutes). The smaller stream, a tenth of it with the same accounts, shows that peak memory does not
 * follow the number of posts.
 */
export async function benchSimulator(): Promise<Array<Record<string, string | number>>> {
  const posts = Number(process.env.BENCH_SCENARIO_POSTS ?? 500_000);
  const accounts = Math.max(4211, Math.round(posts / 100));
  console.log(
    `scenario generation: ${posts.toLocaleString('en')} posts by ${accounts.toLocaleString('en')} accounts`,
  );
  return [
    await inChild('stream', posts, accounts),
    await inChild('stream', Math.round(posts / 10), accounts),
    await inChild('memory', Math.min(Math.round(posts / 10), 100_000), accounts),
  ];
}

type Mode = 'stream' | 'memory';

async function inChild(
  mode: Mode,
  posts: number,
  accounts: number,
): Promise<Record<string, string | number>> {
  const runTs = fileURLToPath(new URL('../../bin/run-ts.js', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--expose-gc', runTs, fileURLToPath(import.meta.url), CHILD_FLAG, mode, String(posts), String(accounts)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`scenario bench (${mode}, ${posts} posts) exited with ${code}`);
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as Record<string, string | number>;
}

const CHILD_FLAG = '--scenario-bench-child';
const mb = (bytes: number) => Math.round(bytes / 1e6);

/** One run, in its own process: prints one JSON line of figures. */
function runChild(mode: Mode, posts: number, accounts: number): void {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  // Live memory, not what the collector has yet to reclaim: the heap right after a full collection.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const liveHeap = () => {
    gc();
    return mb(process.memoryUsage().heapUsed);
  };
  const samples: number[] = [];
  const heap: number[] = [];
  let count = 0;
  let rssAfterAccounts = 0;
  if (mode === 'stream') {
    const stream = streamScenario({ posts, accounts });
    rssAfterAccounts = process.memoryUsage().rss;
    const every = Math.max(1, Math.floor(posts / 4));
    for (const _post of stream.posts()) {
      count++;
      if (count % every === 0) {
        samples.push(mb(process.memoryUsage().rss));
        heap.push(liveHeap());
      }
    }
  } else {
    count = generateScenario({ posts, accounts }).posts.length;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  // maxRSS is in kilobytes.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const row: Record<string, string | number> = {
    run: mode === 'stream' ? 'streamScenario()' : 'generateScenario() (every post held)',
    posts: count,
    accounts,
    seconds: Number(seconds.toFixed(1)),
    'CPU s': Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
    'posts/s': Math.round(count / seconds),
    'RSS after accounts MB': mode === 'stream' ? mb(rssAfterAccounts) : '-',
    'RSS at 25/50/75/100% MB': samples.join(' / ') || '-',
    'live heap at 25/50/75/100% MB': heap.join(' / ') || '-',
    'peak RSS MB': mb(peakRss),
  };
  process.stdout.write(`${JSON.stringify(row)}\n`);
}

const at = process.argv.indexOf(CHILD_FLAG);
if (at >= 0) {
  runChild(process.argv[at + 1] as Mode, Number(process.argv[at + 2]), Number(process.argv[at + 3]));
}
