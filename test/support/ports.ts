// A TCP port for a server a test starts for itself.
//
// Not one the kernel hands out (listen on port 0): those come from the ephemeral range, the same
// ports every outgoing connection of the machine takes its local end from. A port found free that
// way and bound seconds later by a JVM (the secured broker formats its storage first) can meanwhile
// be the local end of some client's connection, and the server dies at bind — a CI run lost the
// whole secured-kafka file to that. Below the ephemeral range only servers bind, and a random pick
// there, checked free, is taken by nobody else in between.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;
/** Linux's default ip_local_port_range starts here; a machine that says otherwise is read. */
const DEFAULT_EPHEMERAL_START = 32_768;

/** The first port of the kernel's ephemeral range. */
export function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const start = Number(low);
    return Number.isInteger(start) && start > 0 ? start : DEFAULT_EPHEMERAL_START;
  } catch {
    return DEFAULT_EPHEMERAL_START;
  }
}

/** Listens on `port` at 127.0.0.1 and closes again (0: the kernel's pick); resolves the port bound, or null when it is taken. */
export function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port free on loopback now, below the ephemeral range where the machine has room for it. */
export async function freePort(): Promise<number> {
  const end = ephemeralStart();
  if (end - LOWEST >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await tryListen(LOWEST + Math.floor(Math.random() * (end - LOWEST)));
      if (port !== null) return port;
    }
  }
  const port = await tryListen(0);
  if (port === null) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}
