// Summary statistics of timing samples (ms per iteration). Medians and quartiles rather than means:
// on a shared 2-core machine the distribution has a long right tail from other tenants.

function quantile(sorted, q) {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples) {
  const sorted = Float64Array.from(samples).sort();
  const median = quantile(sorted, 0.5);
  const p25 = quantile(sorted, 0.25);
  const p75 = quantile(sorted, 0.75);
  return {
    n: sorted.length,
    median,
    p25,
    p75,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    iqrPct: median > 0 ? (100 * (p75 - p25)) / median : 0, // the spread reported next to each median
  };
}
