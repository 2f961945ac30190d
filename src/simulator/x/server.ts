import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { FaultPlan } from '../faults.ts';
import { createSimulator, type SimulatorAppOptions } from './app.ts';
import type { LoggedRequest, SimulatorStats } from './state.ts';

export interface SimulatorServerOptions extends SimulatorAppOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningSimulator {
  /** Ends with `/2/`, ready for `client.v2.setPrefix()` or X_API_BASE_URL. */
  baseUrl: string;
  port: number;
  /** The data faults in force (deleted posts, suspended and renamed accounts) and when they strike. */
  faults: FaultPlan;
  /** Requests served, faults injected, 429s, posts read: what a client met so far. */
  stats(): SimulatorStats;
  /** The latest requests, oldest first, with the rate limit each was told. */
  requestLog(): LoggedRequest[];
  close(): Promise<void>;
}

/** Starts the simulator on HTTP and resolves once it listens. */
export async function startSimulator(options: SimulatorServerOptions): Promise<RunningSimulator> {
  const simulator = createSimulator(options);
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
    baseUrl: `http://${urlHost}:${port}/2/`,
    port,
    faults: simulator.faults,
    stats: simulator.stats,
    requestLog: simulator.requestLog,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
