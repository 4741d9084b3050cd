import { machineLine } from '../machine.mjs';
import { median } from '../stats.mjs';
import { markdownTable } from '../table.mjs';
import { bucketHealthy, BUCKET_MS, GOOD_WITHIN_MS, SUSTAIN_MS } from './figures.mjs';
import { TIMEOUT_MS } from './measure.mjs';
import { goalsOf } from './summary.mjs';

const num = (x, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '–');
const never = (x) => (x === Infinity ? 'not within the phase' : Number.isFinite(x) ? `${num(x)} ms` : '–');
const right = (title) => ({ title, right: true });
// A contender that failed partway keeps the runs it finished, marked.
const name = (e) => `\`${e.id}\`${e.wrong ? ' (WRONG)' : ''}`;

/** The whole of results/overload.md. */
export function overloadReport({ machine, settings, capacity, entries, summary }) {
  const measured = entries.filter((e) => summary[e.id]);
  return [
    '# Overload (open loop)',
    '',
    machineLine(machine),
    '',
    settingsText(settings),
    '',
    contentionLine(entries),
    '',
    '## Capacity',
    '',
    capacityTable(capacity),
    '',
    '## Contenders',
    '',
    ...entries.map(
      (e) => `- \`${e.id}\`: ${e.label}${e.wrong ? `. **WRONG, skipped from there on**: ${e.wrong}` : ''}`,
    ),
    '',
    readingText(),
    '',
    ...settings.multipliers.flatMap((m) => [
      `## At ${m}C`,
      '',
      rateTable(measured, summary, m, capacity),
      '',
    ]),
    '## CPU per 503 ÷ CPU per 200',
    '',
    cpuText(measured, summary, settings),
    '',
    `## Step: ${settings.stepText}`,
    '',
    stepText(measured, summary, capacity),
    '',
    '## Goals',
    '',
    goalsText(entries, summary),
    '',
  ].join('\n');
}

function settingsText(s) {
  return [
    `${s.reps} reps, interleaved (each rep runs every scenario, each scenario every contender in turn); every figure is the median over the reps.`,
    `Rates: ${s.multipliers.map((m) => `${m}C`).join(', ')}, ${s.duration} s each; step: ${s.stepText}.`,
    `Open loop: a constant arrival rate, every request sent at its scheduled time whatever the answers (node:http, a keep-alive pool without a cap on sockets); latency from the scheduled time; a request unanswered after ${TIMEOUT_MS / 1000} s is aborted and counted as a timeout.`,
    `\`GET /work\` burns about 2 ms of CPU, then answers 200 JSON. Goodput: 200s answered within ${GOOD_WITHIN_MS / 1000} s, per second, over the family's C.`,
    `Pinning: ${s.pin ? `generator (this process) on core ${s.pin.generator}, every server on core ${s.pin.server} (OVERLOAD_PIN=${s.pin.generator}:${s.pin.server})` : 'off'}. Before each contender's first rep: ${s.warmup} s at 0.5C, not counted. After every run the server is left until it has been idle for 1 s ("busy after").`,
    '`loadShedding({ maxEventLoopDelay: 100 })`; `admission()` with its defaults; `@fastify/under-pressure` with `maxEventLoopDelay: 1000`, the figure of its README example.',
  ].join('\n');
}

function readingText() {
  return [
    '## Reading the tables',
    '',
    '- **sent**: requests offered (all are sent, on schedule); **200**, **503**, **other**: answers by status; **errors**: connection failures; **timeouts**: unanswered 2 s after their scheduled time, then aborted.',
    "- **goodput ×C**: 200s answered within 1 s of their scheduled time, per second of the run, over the family's C. It counts by scheduled time, so a request offered in the last second and answered after the run's end still counts: above C this can lift it by up to 1 s over the run's duration (10% at 10 s), most for a server whose 200s are slow.",
    '- **503 share**: 503s over sent. **p50/p99**: of the 200s and of the 503s apart, from the scheduled send time.',
    "- **CPU µs/sent**: the server's CPU from the start of the run until it was idle again, over the requests sent. **busy after**: how long the server went on working after the last request had settled (a backlog it served to clients that had gone).",
    "- **listen drops**: connections the kernel dropped because the server's accept queue was full (TcpExt ListenOverflows, machine-wide). A server that falls behind without refusing leaves the excess there, out of sight of any shedding in the process; the client's SYN is retried after 1 s and then 3 s, past its 2 s timeout.",
    '- **send lag p99**: how late the generator sent, the 99th percentile; it is part of every latency, and above a few ms the generator, not the server, was the limit.',
  ].join('\n');
}

function contentionLine(entries) {
  const others = entries.flatMap((e) => e.runs.map((r) => r.otherCores)).filter(Number.isFinite);
  if (others.length === 0) return 'Other processes: not measured (no /proc/stat).';
  return `Other processes took a median of ${num(median(others), 2)} cores (at most ${num(Math.max(...others), 2)}) during the timed runs.`;
}

function capacityTable(capacity) {
  return (
    markdownTable(
      [{ title: 'Family' }, { title: 'Measured on' }, right('C req/s'), right('p50 ms'), right('p99 ms')],
      Object.values(capacity).map((c) => [c.family, c.label, num(c.rps), num(c.p50, 2), num(c.p99, 2)]),
    ) + '\n\nC: closed loop (autocannon, 4 connections, 5 s after 2 s of warm-up), on the same cores.'
  );
}

function rateTable(entries, summary, m, capacity) {
  const rows = entries
    .filter((e) => summary[e.id].rates[m])
    .map((e) => {
      const r = summary[e.id].rates[m];
      return [
        name(e),
        num(m * capacity[e.family].rps),
        num(r.sent),
        num(r.ok),
        num(r.shed),
        num(r.other),
        num(r.errors),
        num(r.timeouts),
        num(r.goodput, 3),
        pct(r.shedShare),
        num(r.okP50, 1),
        num(r.okP99, 1),
        num(r.shedP50, 1),
        num(r.shedP99, 1),
        num(r.cpuPerSent),
        num(r.busyAfterMs / 1000, 1) + (r.drained ? '' : ' (still busy)'),
        num(r.listenDropped),
        num(r.lagP99, 1),
      ];
    });
  return markdownTable(
    [
      { title: 'Contender' },
      right('offered/s'),
      right('sent'),
      right('200'),
      right('503'),
      right('other'),
      right('errors'),
      right('timeouts'),
      right('goodput ×C'),
      right('503 share'),
      right('200 p50 ms'),
      right('200 p99 ms'),
      right('503 p50 ms'),
      right('503 p99 ms'),
      right('CPU µs/sent'),
      right('busy after s'),
      right('listen drops'),
      right('send lag p99 ms'),
    ],
    rows,
  );
}

function cpuText(entries, summary, settings) {
  const lo = Math.min(...settings.multipliers);
  const hi = Math.max(...settings.multipliers);
  const table = markdownTable(
    [
      { title: 'Contender' },
      right(`CPU µs per 200 (${lo}C)`),
      right(`CPU µs per 503 (${hi}C, estimated)`),
      right('ratio'),
      { title: 'rep by rep' },
      right('CPU µs per answer (1C)'),
      right('CPU µs per 503, priced at 1C'),
      right('ratio, priced at 1C'),
    ],
    entries.map((e) => {
      const c = summary[e.id].cpu;
      return [
        name(e),
        num(c.per200),
        num(c.per503),
        num(c.ratio, 3),
        c.reps.map((r) => num(r.ratio, 3)).join(', ') || '–',
        num(c.atCapacity?.per200),
        num(c.atCapacity?.per503),
        num(c.atCapacity?.ratio, 3),
      ];
    }),
  );
  return `${table}

Per 200: the server's CPU over the ${lo}C run (until it was idle again) over its responses. Per 503: the ${hi}C run's CPU less its 200s at that price, over its 503s. It charges the 503s with everything else the server did in that run too (requests it served to clients that had given up, connections opened and closed), and it is sensitive to the price of a 200: a server that idles between requests pays a wake-up per request that a saturated one does not, so the ${lo}C price can exceed what a 200 costs at ${hi}C and leave the 503s too little, even less than nothing. The last three columns price the ${hi}C run's 200s at the 1C run's CPU per answer instead (a saturated server, nearly all 200s).`;
}

function stepText(entries, summary, capacity) {
  const withStep = entries.filter((e) => summary[e.id].step);
  if (withStep.length === 0) return 'Not run.';
  const recoveries = markdownTable(
    [
      { title: 'Contender' },
      right('unloaded p99 ms'),
      { title: 'first phase (control)' },
      { title: 'after the step up' },
      { title: 'after the step down' },
      { title: 'lapses after (control / up / down)' },
      { title: 'rep by rep (control / up / down)' },
    ],
    withStep.map((e) => {
      const s = summary[e.id];
      return [
        name(e),
        num(s.unloadedP99, 1),
        never(s.step.control),
        never(s.step.up),
        never(s.step.down),
        `${s.step.lapses.control} / ${s.step.lapses.up} / ${s.step.lapses.down}`,
        s.step.reps
          .map((r) => [r.control, r.up, r.down].map((x) => `${never(x.ms)} (${x.lapses})`).join(' / '))
          .join('; '),
      ];
    }),
  );
  const series = withStep.flatMap((e) => {
    const s = summary[e.id];
    const c = capacity[e.family].rps;
    return [
      '',
      `### \`${e.id}\`, every ${BUCKET_MS} ms`,
      '',
      markdownTable(
        [
          right('from s'),
          right('offered/s'),
          right('sent'),
          right(`200 ≤ ${GOOD_WITHIN_MS / 1000} s`),
          right('goodput ×C'),
          right('503'),
          right('timeouts'),
          right('200 p99 ms'),
          { title: 'healthy' },
        ],
        s.step.buckets.map((b) => [
          num(b.start / 1000, 1),
          num(b.offered),
          num(b.sent),
          num(b.good),
          num(b.goodput, 2),
          num(b.shed),
          num(b.timeouts),
          num(b.okP99, 1),
          bucketHealthy(b, { capacity: c, unloadedP99: s.unloadedP99 }) ? 'yes' : 'no',
        ]),
      ),
    ];
  });
  return [
    recoveries,
    '',
    `Recovery: from the step to the first ${BUCKET_MS} ms bucket (by scheduled send time) that begins ${SUSTAIN_MS / 1000} s of healthy buckets (or healthy buckets to the end of the phase): 200s within ${GOOD_WITHIN_MS / 1000} s at ≥ 0.9 × min(offered, C) per second, p99 of the 200s ≤ 2× the contender's unloaded p99, no timeouts. The median over the reps; "not within the phase" counts as longer than any time. **Lapses after**: the unhealthy buckets of the phase after that point, median over the reps (rep by rep in brackets). The first phase (0.5C, no step before it) gets the same measures as a control: its lapses are stalls of the host (a bucket's p99 is nearly its slowest request), the rate to hold the others' against. The series below: each bucket's median over the reps.`,
    ...series,
  ].join('\n');
}

function goalsText(entries, summary) {
  const lines = entries
    .filter((e) => e.goals)
    .flatMap((e) => [
      `### \`${e.id}\``,
      '',
      ...(e.wrong ? [`- FAIL ran every run: WRONG, ${e.wrong}`] : []),
      ...(summary[e.id] ? goalsOf(summary[e.id]) : []).map(
        (g) => `- ${g.pass === undefined ? 'SKIP' : g.pass ? 'PASS' : 'FAIL'} ${g.goal}: ${g.value}`,
      ),
      '',
    ]);
  const all = entries
    .filter((e) => summary[e.id])
    .map((e) => ({ id: e.id, wrong: e.wrong, goals: goalsOf(summary[e.id]) }));
  const matrix =
    all.length === 0
      ? ''
      : markdownTable(
          [{ title: 'Goal' }, ...all.map((a) => ({ title: name(a) }))],
          all[0].goals.map((g, i) => [
            g.goal,
            ...all.map(({ goals }) => {
              const line = goals[i];
              return line.pass === undefined ? '–' : `${line.pass ? 'PASS' : 'FAIL'} ${line.value}`;
            }),
          ]),
        );
  return [
    'Goals of the issue, for the admission() contenders; medians over the reps, but "no 503 at all" and "no client timeouts" hold for every rep. The unloaded p99 is each contender\'s own p99 of the 200s at the lowest rate.',
    '',
    ...(lines.length ? lines : ['No admission() contender ran.', '']),
    '#### The same figures for every contender',
    '',
    matrix,
  ].join('\n');
}
