import { readFileSync } from 'node:fs';

// Linux counts /proc/stat in USER_HZ ticks, 100 per second on every architecture Node runs on.
const MICROS_PER_TICK = 10_000;

function busyMicros() {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .slice(4, 200)
      .trim()
      .split(/\s+/)
      .map(Number);
    return (user + nice + system + irq + softirq + steal) * MICROS_PER_TICK;
  } catch {
    return undefined;
  }
}

const ownMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Starts watching the whole machine. The function it returns, given the CPU µs
 * the server used meanwhile, says how many cores everything else (other users
 * of a shared machine, the hypervisor's steal) took over that time: the noise
 * that moves req/s. NaN where /proc/stat is missing.
 */
export function watchContention() {
  const busy = busyMicros();
  const own = ownMicros();
  const start = process.hrtime.bigint();
  return (serverMicros) => {
    const now = busyMicros();
    if (busy === undefined || now === undefined) return NaN;
    const wall = Number(process.hrtime.bigint() - start) / 1000;
    return Math.max(0, (now - busy - (ownMicros() - own) - serverMicros) / wall);
  };
}
