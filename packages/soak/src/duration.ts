const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };
const PART = /(\d+(?:\.\d+)?)([smh])/gy;

/**
 * Reads a duration such as `30s`, `10m`, `1.5h`, `1h30m` or a bare number of seconds, in seconds.
 * Returns undefined for anything else (including a negative or empty value).
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  PART.lastIndex = 0;
  let seconds = 0;
  let consumed = 0;
  for (let match = PART.exec(trimmed); match; match = PART.exec(trimmed)) {
    seconds += Number(match[1]) * (UNIT_SECONDS[match[2] ?? ''] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  return consumed > 0 && consumed === trimmed.length && Number.isFinite(seconds) ? seconds : undefined;
}

/** `1h02m03s`, `12m05s`, `9s`: short enough for a progress line. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h${pad(m)}m${pad(s)}s`;
  if (m > 0) return `${m}m${pad(s)}s`;
  return `${s}s`;
}
