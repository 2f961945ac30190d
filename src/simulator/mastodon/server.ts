import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createMastodonSimulator, instancePath, type MastodonSimulatorOptions } from './app.ts';
import type { MastodonWorld } from './world.ts';

export interface MastodonSimulatorServerOptions extends MastodonSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningMastodonSimulator {
  /** One per instance: its domain and the base URL that serves it (a path prefix on one port). */
  instances: Array<{ name: string; baseUrl: string }>;
  /** domain → base URL, for a client to reach the home of URIs such as https://mastodon.social/users/… */
  directory: Record<string, string>;
  /** domain → the token the instance accepts */
  tokens: Record<string, string>;
  world: MastodonWorld;
  port: number;
  requests(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Starts the Mastodon stand-in on HTTP. Decided: one port, one path prefix per instance
 * (`/i/<domain>/`), rather than a port each, so a test or the demo opens one server and a campaign names
 * instances by base URL (instances are names or base URLs in campaign files).
 */
export async function startMastodonSimulator(
  options: MastodonSimulatorServerOptions,
): Promise<RunningMastodonSimulator> {
  const simulator = createMastodonSimulator(options);
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
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const instances = simulator.world.instances.map((spec) => ({
    name: spec.domain,
    baseUrl: `${origin}${instancePath(spec.domain)}`,
  }));
  return {
    instances,
    directory: Object.fromEntries(instances.map((instance) => [instance.name, instance.baseUrl])),
    tokens: simulator.tokens,
    world: simulator.world,
    port,
    requests: simulator.requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would otherwise hold close() open until they time out.
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
