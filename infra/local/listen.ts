import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The one address local servers listen on: nothing the stack starts is reachable from the network. */
export const LOCAL_HOST = '127.0.0.1';

/** Serves on 127.0.0.1 only (port 0 picks a free one); close() also drops kept-alive connections. */
export const listenLocal = async (server: Server, port = 0, host = LOCAL_HOST): Promise<LocalServer> => {
  // An address other callers could reach (0.0.0.0, a LAN address, ::) is refused, not served.
  if (host !== LOCAL_HOST) throw new Error(`local servers listen on ${LOCAL_HOST} only (asked for ${host})`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
