import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScratchDatabase, startPrivateRedis, stopProcess } from '../support/processes.ts';
import { trackerFromSources } from '../support/services.ts';
import { median } from './stats.ts';

/**
 * Start time and idle memory of `tracker worker` and `tracker dashboard`, run from the TypeScript
 * sources through tsx (how the package ran before it was compiled) and from the compiled `dist/`
 * (`npm run build` first). Printed as ratios dist/tsx, never asserted: these machines are noisy.
 *
 *   node bin/run-ts.js tests/bench/start-footprint.ts        (BENCH_START_RUNS=5 for more runs)
 *
 * Start: from spawn until the process says it is up (the worker's "worker started" log line; for the
 * dashboard, until `GET /` answers 200, which needs the browser bundle). Idle RSS: VmRSS from /proc
 * after 5 s of idling, no campaign, no job.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const launchers: Record<string, string[]> = {
  tsx: trackerFromSources,
  dist: [`${root}bin/tracker.js`],
};

interface Sample {
  startMs: number;
  idleRssMb: number;
}

async function measureOnce(argv: string[], command: 'worker' | 'dashboard', env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(process.execPath, [...argv, command], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    output += String(chunk);
  });
  try {
    const startMs = await untilUp(child, command, () => output, started);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return { startMs, idleRssMb: vmRssMb(child) } satisfies Sample;
  } finally {
    await stopProcess(child);
  }
}

async function untilUp(
  child: ChildProcess,
  command: 'worker' | 'dashboard',
  output: () => string,
  started: number,
): Promise<number> {
  const deadline = started + 60_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tracker ${command} exited: ${output()}`);
    if (command === 'worker' && output().includes('worker started')) return performance.now() - started;
    const url = output().match(/^dashboard on (http:\/\/\S+)$/m)?.[1];
    if (command === 'dashboard' && url) {
      const response = await fetch(url).catch(() => undefined);
      if (response?.status === 200) return performance.now() - started;
      if (response) throw new Error(`GET / answered ${response.status}: ${await response.text()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`tracker ${command} did not come up in 60 s: ${output()}`);
}

function vmRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1]);
  return kb / 1024;
}

export async function benchStartFootprint(runs = Number(process.env.BENCH_START_RUNS ?? 3)) {
  const names = Object.keys(launchers).filter(
    (name) => name !== 'dist' || existsSync(`${root}dist/src/cli.js`),
  );
  const [redis, database] = await Promise.all([startPrivateRedis(), createScratchDatabase()]);
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    // The worker refuses to start without a token; no campaign means it never calls X.
    X_BEARER_TOKEN: 'bench-token-never-sent-anywhere',
    X_API_BASE_URL: 'http://127.0.0.1:1/2/',
    PORT: '0',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
  const figures: Record<string, Sample> = {};
  try {
    for (const command of ['worker', 'dashboard'] as const) {
      const samples: Record<string, Sample[]> = Object.fromEntries(names.map((name) => [name, []]));
      // One run each first, not counted: tsx fills its transform cache, the OS its file cache.
      for (const name of names) await measureOnce(launchers[name] ?? [], command, env);
      for (let run = 0; run < runs; run++) {
        // Alternated, so a burst of load from a neighbour hits both sides alike.
        for (const name of names) samples[name]?.push(await measureOnce(launchers[name] ?? [], command, env));
      }
      for (const name of names) {
        const taken = samples[name] ?? [];
        figures[`${command}.${name}`] = {
          startMs: Math.round(median(taken.map((s) => s.startMs))),
          idleRssMb: Math.round(median(taken.map((s) => s.idleRssMb))),
        };
      }
    }
  } finally {
    await Promise.all([redis.stop(), database.drop()]);
  }
  return figures;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const figures = await benchStartFootprint();
  console.table(figures);
  for (const command of ['worker', 'dashboard']) {
    const tsx = figures[`${command}.tsx`];
    const dist = figures[`${command}.dist`];
    if (tsx && dist) {
      console.log(
        `${command}: start ${(dist.startMs / tsx.startMs).toFixed(2)}× (dist/tsx), idle RSS ${(dist.idleRssMb / tsx.idleRssMb).toFixed(2)}×`,
      );
    }
  }
  console.log(JSON.stringify({ bench: 'start-footprint', ...figures }));
  process.exit(0);
}
