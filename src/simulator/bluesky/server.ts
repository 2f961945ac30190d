import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import {
  type BlueskySimulatorOptions,
  type BlueskyStats,
  createBlueskySimulator,
  DEFAULT_IDENTIFIER,
} from './app.ts';

export interface BlueskySimulatorServerOptions extends BlueskySimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningBlueskySimulator {
  /** The origin, e.g. http://127.0.0.1:4100, for BLUESKY_SERVICE and BLUESKY_PUBLIC_API alike. */
  baseUrl: string;
  port: number;
  /** The handle and app password createSession accepts. */
  identifier: string;
  stats(): BlueskyStats;
  expireAccessTokens(): void;
  expireSessions(): void;
  close(): Promise<void>;
}

/** Starts the Bluesky stand-in on HTTP and resolves once it listens. */
export async function startBlueskySimulator(
  options: BlueskySimulatorServerOptions,
): Promise<RunningBlueskySimulator> {
  const simulator = createBlueskySimulator(options);
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>(
    (resolve, reject) => {
      const server = serve(
        { fetch: simulator.app.fetch, port: options.port ?? 0, hostname: host },
        (info: AddressInfo) => resolve({ server, port: info.port }),
      );
      server.once('error', reject);
    },
  );
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    baseUrl: `http://${urlHost}:${port}`,
    port,
    identifier: options.identifier ?? DEFAULT_IDENTIFIER,
    stats: simulator.stats,
    expireAccessTokens: simulator.expireAccessTokens,
    expireSessions: simulator.expireSessions,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
