import { type ChildProcess, spawn } from 'node:child_process';
import pg from 'pg';
import { type Db, migrateToLatest, openDatabase } from '../../src/db/database.ts';
import { freePort, redisAnswers } from '../../src/redis.ts';
import { eventually, testDatabaseUrl, trackerFromSources, uniqueName } from './services.ts';

/**
 * Real processes for fault tests: a private redis-server (so a test may stop it without touching
 * the shared one), a scratch database (the CLI works in the default schema of the database it is
 * given), and the `tracker` command itself.
 */

export interface PrivateRedis {
  url: string;
  /** stops it and starts an empty one on the same port, as a restart without persistence does */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await eventually(async () => ((await redisAnswers(url, 300)) ? true : undefined), {
      what: 'redis-server',
    });
    return child;
  };
  let child = await start();
  return {
    url,
    async restart() {
      await stopProcess(child, 'SIGKILL');
      child = await start();
    },
    stop: () => stopProcess(child),
  };
}

export interface ScratchDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const name = uniqueName('scratch');
  await adminQuery(`create database ${name}`);
  const url = testDatabaseUrl.replace(/\/test$/, `/${name}`);
  const db = await openDatabase({ url, poolSize: 3 });
  await migrateToLatest(db);
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

export interface TrackerProcess {
  child: ChildProcess;
  output(): string;
}

/** Starts `tracker <args>` with only the given environment (and PATH). */
export function spawnTracker(args: string[], env: Record<string, string>): TrackerProcess {
  let output = '';
  const child = spawn(process.execPath, [...trackerFromSources, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  return { child, output: () => output };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}
