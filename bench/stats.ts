// What every benchmark here shares: medians and their spread, how times are printed, and machine facts.
import { execFileSync } from "node:child_process";

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export const spread = (xs: readonly number[]): Spread => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs),
});

/** 1.23 s, 456 ms, 7.8 ms; and 6 min 51 s past a minute. */
export function fmt(ms: number): string {
  if (ms >= 60_000) return `${Math.floor(ms / 60_000)} min ${((ms % 60_000) / 1000).toFixed(0)} s`;
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`;
}

/** `median (min–max)` for a table cell. */
export const cell = (s: Spread): string => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;

/** The first line a command prints (a version string), or "?". */
export function firstLine(argv: readonly string[]): string {
  try {
    return (
      execFileSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" })
        .split("\n")[0]
        ?.trim() ?? "?"
    );
  } catch {
    return "?";
  }
}
