import { readFileSync } from 'node:fs';

/**
 * Linux's count of connections dropped because a listen queue was full
 * (TcpExt ListenOverflows, machine-wide). A server that falls behind without
 * refusing leaves the excess in its accept queue (Node's default backlog: 511);
 * when it is full the SYN is dropped and the client retries a second later,
 * past a 2 s timeout: a queue no shedding in the process can see. NaN where
 * /proc/net/netstat is missing.
 */
export function listenDrops() {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('TcpExt:'))
      .map((line) => line.split(/\s+/));
    const i = names.indexOf('ListenOverflows');
    return i < 0 ? NaN : Number(values[i]);
  } catch {
    return NaN;
  }
}
