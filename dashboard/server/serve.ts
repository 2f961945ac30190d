import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface DashboardServer {
  url: string;
  port: number;
  /** Stops listening and drops open connections (keep-alive, SSE streams). */
  close(): Promise<void>;
}

/**
 * Listens on `port` (0: a free one) and resolves once the server accepts connections. `close()`
 * also closes the dashboard (its live streams end first, so browsers see a clean end and reconnect).
 */
export async function serveDashboard(
  app: Hono & { close?(): Promise<void> },
  options: { port: number; hostname?: string },
): Promise<DashboardServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.hostname }, (info) => {
      server.off('error', reject);
      const { port } = info as AddressInfo;
      resolve({
        url: `http://${urlHost(options.hostname)}:${port}`,
        port,
        close: async () => {
          await app.close?.();
          await new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          });
        },
      });
    });
    server.once('error', reject);
  });
}

function urlHost(hostname: string | undefined): string {
  if (!hostname || hostname === '0.0.0.0' || hostname === '::') return 'localhost';
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}
