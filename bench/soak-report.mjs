import { machineLine } from './machine.mjs';
import { slope } from './stats.mjs';
import { markdownTable } from './table.mjs';

const MB = 2 ** 20;
const KB = 2 ** 10;
const WARM_UP = 0.1;
const SHOWN_ROWS = 11;

/** How one memory figure moved after the warm-up: the change and the least-squares slope per 100k requests. */
export function growth(samples, key, total) {
  const start = samples.findIndex((s) => s.requests >= WARM_UP * total);
  const settled = samples.slice(start);
  const first = settled[0];
  const last = settled.at(-1);
  return {
    from: first[key],
    to: last[key],
    fromRequests: first.requests,
    change: last[key] - first[key],
    per100k:
      slope(
        settled.map((s) => s.requests),
        settled.map((s) => s[key]),
      ) * 100_000,
  };
}

const signedKB = (bytes) =>
  `${bytes >= 0 ? '+' : '−'}${Math.abs(bytes / KB).toLocaleString('en-US', { maximumFractionDigits: 0 })} KB`;

function growthLine(name, g) {
  return (
    `- ${name}: ${(g.from / MB).toFixed(2)} MB at the end of the warm-up (${g.fromRequests.toLocaleString('en-US')} requests), ` +
    `${(g.to / MB).toFixed(2)} MB at the end: ${signedKB(g.change)}; slope ${signedKB(g.per100k)} per 100k requests`
  );
}

/** The soak report, as printed and as written to results/soak.md. */
export function soakReport({ machine, settings, samples, statuses, problems, seconds }) {
  const heap = growth(samples, 'heapUsed', settings.requests);
  const rss = growth(samples, 'rss', settings.requests);
  const step = Math.max(1, Math.ceil((samples.length - 1) / (SHOWN_ROWS - 1)));
  const shown = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  const table = markdownTable(
    [
      { title: 'requests', right: true },
      { title: 'heap used MB', right: true },
      { title: 'RSS MB', right: true },
      { title: 'external MB', right: true },
    ],
    shown.map((s) => [
      s.requests.toLocaleString('en-US'),
      (s.heapUsed / MB).toFixed(2),
      (s.rss / MB).toFixed(1),
      (s.external / MB).toFixed(2),
    ]),
  );
  const answered = Object.entries(statuses)
    .map(([code, count]) => `${code}: ${count.toLocaleString('en-US')}`)
    .join(', ');
  return `${[
    '# Soak results',
    machineLine(machine),
    `${settings.requests.toLocaleString('en-US')} failing requests over ${settings.connections} connections in ` +
      `${seconds.toFixed(0)} s, to one Express 5 + \`serverErrors()\` server; heap sampled after a forced gc every ` +
      `${settings.sampleEvery.toLocaleString('en-US')} requests. The first ${WARM_UP * 100}% is warm-up.`,
    '## Growth after warm-up',
    [growthLine('Heap used', heap), growthLine('RSS', rss)].join('\n'),
    `Answers: ${answered}. Unexpected answers, errors and timeouts: ${problems}.`,
    '## Samples',
    table,
  ].join('\n\n')}\n`;
}
