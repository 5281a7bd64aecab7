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

/** A command-line count: a whole number >= min, else an error naming the flag. */
export function wholeNumber(flag: string, v: string | undefined, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number >= ${min}, got ${v}`);
  return n;
}

/**
 * Runs each variant once untimed (page cache, QEMU's start-up files), then `runs` rounds with every variant
 * once per round and the first one rotating, so that each takes each slot as often and shares the noise.
 * Returns the samples per variant name; `report` sees each as it comes.
 */
export async function interleaved<V extends { name: string }, S>(
  variants: readonly V[],
  runs: number,
  once: (v: V) => Promise<S>,
  report: (round: number, v: V, s: S) => void,
): Promise<Map<string, S[]>> {
  for (const v of variants) await once(v);
  const samples = new Map<string, S[]>(variants.map((v) => [v.name, []]));
  for (let i = 0; i < runs; i++) {
    const k = i % variants.length;
    for (const v of [...variants.slice(k), ...variants.slice(0, k)]) {
      const s = await once(v);
      samples.get(v.name)?.push(s);
      report(i + 1, v, s);
    }
  }
  return samples;
}
