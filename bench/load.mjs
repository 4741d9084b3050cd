import autocannon from 'autocannon';

/**
 * Loads one server for `duration` seconds (or `amount` requests) from this
 * process. Returns the throughput from the responses actually received, the
 * latency percentiles in ms, and how many answers were not `status` (other
 * statuses, errors, timeouts).
 */
export async function load({ port, path, connections, duration, amount, requests, status }) {
  const run = autocannon({
    url: `http://127.0.0.1:${port}${path ?? '/'}`,
    connections,
    // autocannon takes an explicit undefined as a setting, not as "use the default".
    ...(amount ? { amount } : { duration }),
    ...(requests && { requests }),
  });
  // autocannon's own histogram keeps whole milliseconds, too coarse for a server that answers in a few hundred µs.
  const latencies = [];
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;
  latencies.sort((a, b) => a - b);
  const total = result.requests.total;
  const expected = status === undefined ? total : (result.statusCodeStats[status]?.count ?? 0);
  return {
    requests: total,
    rps: total / ((result.finish - result.start) / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    unexpected: total - expected + result.errors + result.timeouts,
  };
}

function percentile(sorted, p) {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
