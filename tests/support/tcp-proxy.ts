import net from 'node:net';

/**
 * A TCP proxy between a process under test and a server (PostgreSQL), so a test can make the server
 * vanish without touching the shared one. `cut()` resets every open connection and refuses new ones
 * (clients see ECONNRESET, then ECONNREFUSED-like resets at connect); `restore()` lets them through again.
 */
export interface TcpProxy {
  port: number;
  /** connections accepted and forwarded so far */
  readonly forwarded: number;
  /** connections refused while cut */
  readonly refused: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let cut = false;
  let forwarded = 0;
  let refused = 0;
  const server = net.createServer((client) => {
    if (cut) {
      refused++;
      // Accept-and-reset: a listening port that drops every connection, as a server that is gone.
      client.resetAndDestroy();
      return;
    }
    forwarded++;
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // Either end failing ends the pair; errors are expected when the test cuts.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no TCP address');
  return {
    port: address.port,
    get forwarded() {
      return forwarded;
    },
    get refused() {
      return refused;
    },
    cut() {
      cut = true;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
