import type { Services } from '../../src/context.js';

export interface BenchContext {
  /** URL of this module's own fresh, migrated database. */
  url: string;
  services: Services;
  /** Prints one result line; `bench` names it. */
  print(line: { bench: string } & Record<string, number | string>): void;
}

export interface BenchModule {
  run(ctx: BenchContext): Promise<void>;
}

/** Median, 95th and 99th percentile of a list of durations. */
export function percentiles(values: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)) };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
