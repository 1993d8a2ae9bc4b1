/**
 * Sums the samples of the named metrics in a Prometheus text exposition, over all their label
 * sets (e.g. the GC pause sum of every kind). Metrics absent from the text are absent from the
 * result. Only what the runner needs: no types, no timestamps, no escaped label values.
 */
export function sumMetrics(text: string, names: ReadonlySet<string>): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const nameEnd = line.search(/[{\s]/);
    if (nameEnd <= 0) continue;
    const name = line.slice(0, nameEnd);
    if (!names.has(name)) continue;
    const valueStart = line[nameEnd] === '{' ? line.indexOf('}', nameEnd) + 1 : nameEnd;
    if (valueStart <= 0) continue;
    const value = Number(line.slice(valueStart).trim().split(/\s+/)[0]);
    if (Number.isFinite(value)) sums.set(name, (sums.get(name) ?? 0) + value);
  }
  return sums;
}
