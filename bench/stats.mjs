export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * a against b: the ratio of their medians, which is what the table shows, and
 * the range of the round-by-round ratios, which says how far one round could
 * stray on this machine.
 */
export function compare(a, b) {
  const rounds = a.map((value, i) => value / b[i]).filter(Number.isFinite);
  return { value: median(a) / median(b), min: Math.min(...rounds), max: Math.max(...rounds) };
}

/** Least-squares slope of ys over xs. */
export function slope(xs, ys) {
  const mx = xs.reduce((s, x) => s + x, 0) / xs.length;
  const my = ys.reduce((s, y) => s + y, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}
