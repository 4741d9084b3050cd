import { groups } from './contenders.mjs';
import { machineLine } from './machine.mjs';
import { compare, median } from './stats.mjs';
import { markdownTable } from './table.mjs';

const THROUGHPUT_FLOOR = 0.95;
const CPU_CEILING = 1.1;
// Issue "footprint": all seven guards on the success path ≤ 1.03× the app with
// serverErrors() alone; peak RSS on the error path within 3 % of hand-written.
export const GUARDS_CEILING = 1.03;
/** The contenders that goal holds for: the guards as seven app.use()s, and as one guards(). */
export const GUARDED_IDS = ['ok-guarded', 'ok-guarded-one'];
export const RSS_CEILING = 1.03;
const BASELINE_CEILING = 1.03;
const OURS = ['server-errors', 'server-errors-quiet'];

/** Medians per contender, and each group's ratios against its baseline. */
export function summarise(entries) {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const ratio = (entry, baselineId, key) => {
    const baseline = byId.get(baselineId);
    if (!baseline || baseline.wrong || entry.wrong) return undefined;
    return compare(
      entry.rounds.map((round) => round[key]),
      baseline.rounds.map((round) => round[key]),
    );
  };
  const summary = {};
  for (const group of groups) {
    for (const id of group.ids) {
      const entry = byId.get(id);
      if (!entry) continue;
      const col = (key) => median(entry.rounds.map((round) => round[key]));
      const versus = {
        rps: ratio(entry, group.baseline, 'rps'),
        cpu: ratio(entry, group.baseline, 'cpuPerRequest'),
        rss: ratio(entry, group.baseline, 'peakRss'),
      };
      // A contender's own baseline is that of its first group; later groups only compare.
      if (summary[id]) {
        summary[id].byBaseline[group.baseline] = versus;
        continue;
      }
      summary[id] = {
        label: entry.label,
        wrong: entry.wrong,
        response: entry.response,
        rps: col('rps'),
        p50: col('p50'),
        p99: col('p99'),
        cpuPerRequest: col('cpuPerRequest'),
        // The median of the rounds' own peaks (see the README), in MB; and whether each round's peak was its own.
        peakRssMB: col('peakRss') / 1024,
        peakPerRound: entry.rounds.length > 0 && entry.rounds.every((round) => round.peakReset),
        baseline: group.baseline,
        rpsRatio: versus.rps,
        cpuRatio: versus.cpu,
        rssRatio: versus.rss,
        byBaseline: { [group.baseline]: versus },
        rpsVs: Object.fromEntries(
          ['express-default', 'boom'].map((other) => [other, ratio(entry, other, 'rps')]),
        ),
        cpuVsWith: ratio(entry, 'ok-with', 'cpuPerRequest'),
      };
    }
  }
  return summary;
}

const number = (value, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const times = (ratio) => (ratio ? `${ratio.value.toFixed(2)}×` : '–');
const spread = (ratio) => `round by round ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}`;

function groupTable(group, summary) {
  const ids = group.ids.filter((id) => summary[id]);
  if (ids.length === 0) return [];
  const columns = [
    { title: 'Contender' },
    { title: 'req/s (median)', right: true },
    { title: 'ratio', right: true },
    { title: 'p50 ms', right: true },
    { title: 'p99 ms', right: true },
    { title: 'CPU µs/req (median)', right: true },
    { title: 'ratio', right: true },
    { title: 'peak RSS MB', right: true },
    { title: 'ratio', right: true },
  ];
  const rows = ids.map((id) => {
    const s = summary[id];
    if (s.wrong) return [s.label, 'WRONG', '–', '–', '–', '–', '–', '–', '–'];
    const versus = s.byBaseline[group.baseline] ?? {};
    return [
      s.label,
      number(s.rps),
      times(versus.rps),
      number(s.p50, 2),
      number(s.p99, 2),
      number(s.cpuPerRequest, 1),
      times(versus.cpu),
      number(s.peakRssMB, 1),
      times(versus.rss),
    ];
  });
  const wrongs = ids
    .filter((id) => summary[id].wrong)
    .map((id) => `- WRONG ${summary[id].label}: ${summary[id].wrong}`);
  return [
    `## ${group.title}`,
    `Ratios are medians over medians, against ${summary[group.baseline]?.label ?? group.baseline}.`,
    markdownTable(columns, rows),
    ...(wrongs.length ? [wrongs.join('\n')] : []),
  ];
}

function goalLines(summary) {
  const lines = [];
  for (const id of OURS.filter((id) => summary[id])) {
    const s = summary[id];
    const check = (name, ratio, passes, goal) => {
      if (s.wrong || !ratio)
        lines.push(`- FAIL ${s.label} ${name}: not measured${s.wrong ? ` (WRONG: ${s.wrong})` : ''}`);
      else
        lines.push(
          `- ${passes(ratio.value) ? 'PASS' : 'FAIL'} ${s.label} ${name}: ${ratio.value.toFixed(3)}× (${goal}; ${spread(ratio)})`,
        );
    };
    check('req/s vs hand-written', s.rpsRatio, (r) => r >= THROUGHPUT_FLOOR, `goal ≥ ${THROUGHPUT_FLOOR}×`);
    check('CPU/req vs hand-written', s.cpuRatio, (r) => r <= CPU_CEILING, `goal ≤ ${CPU_CEILING}×`);
    check('req/s vs Express default handler', s.rpsVs['express-default'], (r) => r > 1, 'goal > 1×');
    check('req/s vs @hapi/boom', s.rpsVs.boom, (r) => r > 1, 'goal > 1×');
    check(
      `peak RSS vs hand-written${s.peakPerRound ? '' : ' (peak since start: no per-round reset here)'}`,
      s.rssRatio,
      (r) => r <= RSS_CEILING,
      `goal ≤ ${RSS_CEILING}×`,
    );
  }
  // A change to the pipeline may not make the error path dearer than the build it replaces.
  for (const [id, baseline] of [
    ['server-errors', 'baseline'],
    ['server-errors-quiet', 'baseline-quiet'],
  ]) {
    const cpu = summary[id]?.byBaseline[baseline]?.cpu;
    if (!cpu || summary[id].wrong) continue;
    lines.push(
      `- ${cpu.value <= BASELINE_CEILING ? 'PASS' : 'FAIL'} ${summary[id].label} CPU/req vs ${summary[baseline].label}: ` +
        `${cpu.value.toFixed(3)}× (goal ≤ ${BASELINE_CEILING}×; ${spread(cpu)})`,
    );
  }
  // Installing every guard may cost at most a few percent when nothing fails,
  // against the same app with serverErrors() alone: as seven app.use()s, and as one guards().
  for (const guarded of GUARDED_IDS.map((id) => summary[id])) {
    if (!guarded || !summary['ok-with']) continue;
    const ratio = guarded.cpuVsWith;
    if (guarded.wrong || !ratio)
      lines.push(`- FAIL ${guarded.label} CPU/req vs with serverErrors() alone: not measured`);
    else
      lines.push(
        `- ${ratio.value <= GUARDS_CEILING ? 'PASS' : 'FAIL'} ${guarded.label} CPU/req vs with serverErrors() alone: ` +
          `${ratio.value.toFixed(3)}× (goal ≤ ${GUARDS_CEILING}×; ${spread(ratio)})`,
      );
  }
  return lines.join('\n');
}

function responseTable(summary) {
  const columns = [
    { title: 'Contender' },
    { title: 'Content-Type' },
    { title: 'body bytes', right: true },
    { title: 'Cache-Control' },
    { title: 'nosniff' },
  ];
  const rows = groups[0].ids
    .filter((id) => summary[id]?.response)
    .map((id) => {
      const { label, response: r } = summary[id];
      return [label, r.contentType, String(r.bytes), r.cacheControl || '–', r.nosniff ? 'yes' : 'no'];
    });
  return markdownTable(columns, rows);
}

function contentionLine(cores) {
  const typical = median(cores);
  if (!Number.isFinite(typical)) return 'Contention from other processes was not measured (no /proc/stat).';
  return (
    `Other processes took a median of ${typical.toFixed(2)} cores (at most ${Math.max(...cores).toFixed(2)}) ` +
    `during the timed rounds. The benchmark keeps two cores busy itself (server and load generator), so req/s ` +
    `follows that noise; CPU µs/req follows it less.`
  );
}

function peakLine(summary) {
  const measured = Object.values(summary).filter((s) => !s.wrong);
  return measured.length > 0 && measured.every((s) => s.peakPerRound)
    ? 'Peak RSS: the peak of each round alone (the server resets its peak through `/proc/self/clear_refs` before the round ' +
        'and reads `maxRSS` after it), median over the rounds; its ratio is a median over a median too.'
    : 'Peak RSS: the peak since each server started (this system cannot reset it per round), read after each round: ' +
        'later rounds repeat the earlier peaks, so its round-by-round range says little.';
}

/** The report, as printed and as written to results/latest.md. */
export function benchReport({ machine, settings, summary, contention }) {
  return `${[
    '# Benchmark results',
    `${machineLine(machine)}`,
    `${settings.rounds} rounds × ${settings.duration} s per contender, ${settings.connections} connections, ` +
      `${settings.warmup} s warm-up; each server in its own process, autocannon in the parent.`,
    contentionLine(contention),
    peakLine(summary),
    ...groups.flatMap((group) => groupTable(group, summary)),
    '## Goal',
    goalLines(summary),
    '## What each error-path contender sends',
    responseTable(summary),
  ].join('\n\n')}\n`;
}
