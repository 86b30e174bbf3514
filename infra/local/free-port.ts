import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/*
 * A free port for a child process (DynamoDB Local, a test's `npm start`) to bind later. A port the kernel hands out for port 0 comes from the
 * ephemeral range, which every outgoing connection of a parallel test also draws from: between our
 * probe and the child's bind another socket can take it (EADDRINUSE). So pick below that range,
 * where only listeners that ask for a port by number go, and check it binds now.
 */
const ephemeralStart = (): number => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return 32768;
  }
};

const binds = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

const given = new Set<number>();

export const freePort = async (): Promise<number> => {
  const high = Math.min(ephemeralStart(), 32768);
  const low = Math.max(1024, high - 12000);
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (!given.has(port) && (await binds(port))) {
      given.add(port);
      return port;
    }
  }
};
