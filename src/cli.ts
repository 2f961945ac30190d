import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { systemClock } from './clock.ts';
import { errorLine } from './commands/errors.ts';
import type { ExportCommandOptions as ExportOptions } from './commands/export.ts';
import { type Config, loadConfig } from './config.ts';
import { createLogger, defaultLogFormat, type Logger } from './log.ts';
import { packageVersion } from './version.ts';

/**
 * The `tracker` command. Every failure ends with one line on stderr and exit code 1.
 * Each command loads its modules when it runs: `tracker --help` need not load a database driver.
 */

const out = (line: string) => process.stdout.write(`${line}\n`);
let showStacks = false;

function context(): { config: Config; log: Logger } {
  const config = loadConfig();
  showStacks = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  // Logs go to stderr so command output (lists, exports) stays clean on stdout.
  const log = createLogger({
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT ?? defaultLogFormat([process.stdout, process.stderr]),
    destination: process.stderr,
    colors: process.stderr.isTTY === true,
  });
  return { config, log };
}

/** Runs until SIGINT/SIGTERM, then stops cleanly; a second signal forces the exit. */
async function runUntilSignal(log: Logger, stop: () => Promise<void>): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      log.info({ signal }, 'stopping');
      stop().finally(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}

const program = new Command('tracker')
  .description('Follow an event campaign on X: collect, rank, show live.')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError()
  .exitOverride();

program
  .command('start')
  .description(
    'everything in one process: migrate, workers, schedules, dashboard (demo without X_BEARER_TOKEN)',
  )
  .action(async () => {
    const { config, log } = context();
    const { start } = await import('./commands/start.ts');
    const app = await start(config, log);
    out(
      `campaign-tracker is up: ${app.url}${config.demo ? ' (demo: simulated replay of the OGP 2016 summit, and its fictional 2026 edition on X, Bluesky and Mastodon)' : ''}`,
    );
    await runUntilSignal(log, app.stop);
  });

program
  .command('worker')
  .description('collection only: queue workers and schedules (run several for more throughput)')
  .action(async () => {
    const { config, log } = context();
    const { runWorker } = await import('./commands/worker.ts');
    const stop = await runWorker(config, log);
    await runUntilSignal(log, stop);
  });

program
  .command('dashboard')
  .description('the web dashboard only')
  .action(async () => {
    const { config, log } = context();
    const { runDashboard } = await import('./commands/dashboard.ts');
    const dashboard = await runDashboard(config, log);
    out(`dashboard on ${dashboard.url}`);
    await runUntilSignal(log, dashboard.stop);
  });

program
  .command('doctor')
  .description('check the configuration, PostgreSQL, Redis, each network and the budgets, one line each')
  .action(async () => {
    const { runDoctor } = await import('./commands/doctor.ts');
    process.exitCode = await runDoctor(systemClock.now(), out);
  });

program
  .command('migrate')
  .description('bring the database schema up to date')
  .action(async () => {
    const { config } = context();
    const { openMigratedDatabase } = await import('./commands/storage.ts');
    const db = await openMigratedDatabase(config);
    await db.destroy();
    out('database schema is up to date');
  });

const campaign = program.command('campaign').description('campaign files');
campaign
  .command('apply <file>')
  .description('create or update a campaign from its YAML or JSON file (idempotent)')
  .action(async (file: string) => {
    const { config } = context();
    const { readCampaignFile } = await import('./campaigns/campaign-file.ts');
    const { applyCampaign } = await import('./campaigns/apply.ts');
    const { openMigratedDatabase } = await import('./commands/storage.ts');
    const parsed = await readCampaignFile(file);
    const db = await openMigratedDatabase(config);
    try {
      const result = await applyCampaign(db, parsed, systemClock.now());
      out(`${result.created ? 'created' : 'updated'} campaign ${parsed.slug}`);
      for (const query of result.queriesAdded) out(`  + query ${query}`);
      for (const query of result.queriesRetired) out(`  - query ${query}`);
      for (const name of result.watchlistAdded) out(`  + @${name}`);
      for (const name of result.watchlistRemoved) out(`  - @${name}`);
      const { resolveAfterApply } = await import('./commands/resolve-after-apply.ts');
      await resolveAfterApply(db, config.REDIS_URL, result.campaignId, systemClock.now(), out);
    } finally {
      await db.destroy();
    }
  });
campaign
  .command('list')
  .description('list campaigns')
  .action(async () => {
    const { config } = context();
    const { openMigratedDatabase } = await import('./commands/storage.ts');
    const { listCampaigns } = await import('./db/campaign-repository.ts');
    const db = await openMigratedDatabase(config);
    try {
      for (const c of await listCampaigns(db)) {
        out(
          `${c.slug}\t${c.window_start.toISOString()} → ${c.window_end.toISOString()}\t@${c.home_username}\t${c.name}`,
        );
      }
    } finally {
      await db.destroy();
    }
  });

program
  .command('collect <slug>')
  .description('collect a campaign once, now: polls, follower snapshots, due metrics')
  .option(
    '--backfill',
    'also walk every query back to the 7-day horizon, and the older part of the window through the archive (resumable)',
    false,
  )
  .option(
    '--dry-run',
    "estimate the backfill's posts, requests and cost from X's counts; read nothing else",
    false,
  )
  .action(async (slug: string, options: { backfill: boolean; dryRun: boolean }) => {
    const { config, log } = context();
    const { collectOnce } = await import('./commands/collect.ts');
    const { stopped } = await collectOnce(
      config,
      log,
      { slug, backfill: options.backfill, dryRun: options.dryRun, progress: process.stderr.isTTY },
      out,
    );
    // Stopped by Ctrl-C: the shell's convention for a command interrupted by SIGINT.
    if (stopped) process.exitCode = 130;
  });

const importCommand = program
  .command('import')
  .description('bring in collections and readings kept elsewhere');
importCommand
  .command('twarc <file>')
  .description(
    'a twarc2 JSONL file (raw pages or `twarc2 flatten` lines) into a campaign; sends nothing to X',
  )
  .requiredOption('--campaign <slug>', 'the campaign')
  .option('--query <query>', "the campaign query its posts match (default: the campaign's first)")
  .action(async (file: string, options: { campaign: string; query?: string }) => {
    const { config, log } = context();
    const { runTwarcImport } = await import('./commands/import.ts');
    await runTwarcImport(config, log, { file, ...options, progress: process.stderr.isTTY === true }, out);
  });
importCommand
  .command('followers <file>')
  .description('follower counts kept elsewhere (CSV: time,network,handle,followers) as imported readings')
  .requiredOption('--campaign <slug>', 'the campaign')
  .action(async (file: string, options: { campaign: string }) => {
    const { config, log } = context();
    const { runFollowersImport } = await import('./commands/import.ts');
    await runFollowersImport(config, log, { file, ...options }, out);
  });

program
  .command('export <what>')
  .description(
    'export followers, leaderboard, posts or overview as csv, xlsx, json or png, or the report as pdf',
  )
  .requiredOption('--campaign <slug>', 'the campaign')
  .requiredOption('--format <format>', 'csv, xlsx, json, png, or pdf (report)')
  .option('--from <instant>', 'window start, ISO 8601 with offset (default: the campaign window)')
  .option('--to <instant>', 'window end, ISO 8601 with offset (default: the campaign window)')
  .option('--interval <interval>', 'hour or day (followers; default: day)')
  .option(
    '--accounts <list>',
    'handles, comma-separated: X usernames, Bluesky handles, Mastodon user@instance (followers, posts; default: home and watchlist / all)',
  )
  .option('--metric <metric>', 'leaderboard metric (default: posts)')
  .option('--scope <scope>', 'all or watchlist (leaderboard; default: all)')
  .option('--network <network>', 'x, bluesky, mastodon or all (default: all)')
  .option('--limit <n>', 'leaderboard rows (default: every ranked account)')
  .option('--lang <lang>', 'en or fr: chart titles (png), the report (pdf)')
  .option('--out <file>', 'write to this file (default: stdout)')
  .action(async (what: string, options: Omit<ExportOptions, 'what' | 'progress'>) => {
    const { config } = context();
    const { runExport } = await import('./commands/export.ts');
    await runExport(config, { ...options, what, progress: process.stderr.isTTY === true }, out);
  });

program
  .command('simulate')
  .description(
    "run one network's stand-in alone (X API v2, Bluesky's XRPC, or Mastodon instances), for any client",
  )
  .option('--network <network>', 'x, bluesky or mastodon', (value: string) => {
    if (value !== 'x' && value !== 'bluesky' && value !== 'mastodon')
      throw new InvalidArgumentError('expected x, bluesky or mastodon');
    return value;
  })
  .option(
    '--port <port>',
    'port to listen on (default: 4100 for x, 4200 for mastodon, 4300 for bluesky)',
    parsePort,
  )
  .option('--speed <n>', 'replay speed (simulated seconds per real second)', parsePositive, 1)
  .option(
    '--scenario <name>',
    'X: ogp16 (default), ogp16-small, ogp16-large; Bluesky: forum26 (default), forum26-small',
  )
  .option(
    '--at <instant>',
    'X: stand still at this instant (ISO 8601), e.g. months after the event',
    (value: string) => {
      const at = new Date(value);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at.getTime()))
        throw new InvalidArgumentError('expected an ISO 8601 instant, e.g. 2017-03-01T00:00:00Z');
      return at;
    },
  )
  .option('--tier <tier>', "X access tier's limits and cap: basic, pro or pay-per-use", (value: string) => {
    if (!['basic', 'pro', 'pay-per-use'].includes(value))
      throw new InvalidArgumentError('expected basic, pro or pay-per-use');
    return value as 'basic' | 'pro' | 'pay-per-use';
  })
  .action(
    async (options: {
      network?: 'x' | 'bluesky' | 'mastodon';
      port?: number;
      speed: number;
      scenario?: string;
      tier?: 'basic' | 'pro' | 'pay-per-use';
      at?: Date;
    }) => {
      const { log } = context();
      if (options.network === 'mastodon') {
        const { runMastodonSimulator } = await import('./commands/simulate.ts');
        const simulator = await runMastodonSimulator({ ...options, port: options.port ?? 4200 });
        for (const line of simulator.lines) out(line);
        await runUntilSignal(log, simulator.close);
        return;
      }
      const { runSimulator } = await import('./commands/simulate.ts');
      const port = options.port ?? (options.network === 'bluesky' ? 4300 : 4100);
      const simulator = await runSimulator({ ...options, port });
      out(`${simulator.network === 'x' ? 'X API simulator' : 'Bluesky stand-in'} on ${simulator.baseUrl}`);
      for (const [label, value] of simulator.credentials) out(`${label}: ${value}`);
      out(
        `scenario ${simulator.scenario.name}: ${simulator.scenario.posts} posts by ${simulator.scenario.accounts} accounts`,
      );
      await runUntilSignal(log, simulator.close);
    },
  );

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535');
  return port;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`tracker: ${errorLine(error)}\n`);
  if (showStacks && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
