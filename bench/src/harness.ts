import { arch, cpus, totalmem } from 'node:os';

/** One measured operation: its name and a function doing `batch` operations per call. */
export interface BenchCase {
  readonly name: string;
  /** Runs the operation `batch` times (default 1); the harness divides by it. */
  readonly run: () => unknown;
  readonly batch?: number;
  /** Bytes processed per operation, for a throughput column. */
  readonly bytes?: number;
}

/** Result of one case: the median and spread over the samples, per single operation. */
export interface BenchResult {
  readonly name: string;
  readonly medianNs: number;
  readonly p10Ns: number;
  readonly p90Ns: number;
  readonly samples: number;
  readonly bytes?: number;
}

export interface MeasureOptions {
  /** Samples to take (default 30). */
  readonly samples?: number;
  /** Minimum wall time of one sample in ms (default 20). */
  readonly sampleMs?: number;
}

function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[index] as number;
}

/**
 * Measures each case in turn, interleaved sample by sample so a noisy neighbour hits all cases
 * alike, and reports per-operation medians. Machines here are shared: compare medians and ratios.
 */
export function measure(cases: readonly BenchCase[], options: MeasureOptions = {}): BenchResult[] {
  const samples = options.samples ?? 30;
  const sampleNs = (options.sampleMs ?? 20) * 1e6;
  const iterations = cases.map((c) => {
    // Calibrate: how many calls fill one sample.
    let n = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) c.run();
      const elapsed = Number(process.hrtime.bigint() - start);
      if (elapsed > sampleNs / 4 || n > 1e9) return Math.max(1, Math.round((n * sampleNs) / Math.max(elapsed, 1)));
      n *= 4;
    }
  });
  const perOp: number[][] = cases.map(() => []);
  for (let s = 0; s < samples; s++) {
    cases.forEach((c, index) => {
      const n = iterations[index] as number;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) c.run();
      const elapsed = Number(process.hrtime.bigint() - start);
      perOp[index]?.push(elapsed / n / (c.batch ?? 1));
    });
  }
  return cases.map((c, index) => {
    const sorted = (perOp[index] as number[]).sort((a, b) => a - b);
    return {
      name: c.name,
      medianNs: quantile(sorted, 0.5),
      p10Ns: quantile(sorted, 0.1),
      p90Ns: quantile(sorted, 0.9),
      samples: sorted.length,
      ...(c.bytes === undefined ? {} : { bytes: c.bytes }),
    };
  });
}

function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

function formatThroughput(bytes: number, ns: number): string {
  const perSecond = (bytes / ns) * 1e9;
  if (perSecond >= 1e9) return `${(perSecond / 1e9).toFixed(2)} GB/s`;
  return `${(perSecond / 1e6).toFixed(1)} MB/s`;
}

/**
 * A Markdown table of results; `baseline` names the case the ratio column divides by
 * (ratio > 1 means faster than the baseline).
 */
export function markdownTable(results: readonly BenchResult[], baseline?: string): string {
  const base = results.find((r) => r.name === baseline);
  const lines = [
    '| case | median / op | p10 – p90 | throughput | vs baseline |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const throughput = r.bytes === undefined ? '' : formatThroughput(r.bytes, r.medianNs);
    const ratio = base ? `${(base.medianNs / r.medianNs).toFixed(2)}x` : '';
    lines.push(`| ${r.name} | ${formatNs(r.medianNs)} | ${formatNs(r.p10Ns)} – ${formatNs(r.p90Ns)} | ${throughput} | ${ratio} |`);
  }
  return lines.join('\n');
}

/** The machine line every results file starts with. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${cpus().length} cores, ${arch()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`;
}

/** One async operation to measure. */
export interface AsyncCase {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

/** The harness's method (calibrated samples, interleaved across cases, medians) for async operations. */
export async function measureAsync(cases: readonly AsyncCase[], samples = 25, sampleMs = 40): Promise<BenchResult[]> {
  const iterations: number[] = [];
  for (const c of cases) {
    let n = 1;
    for (;;) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await c.run();
      const elapsed = Number(process.hrtime.bigint() - start);
      if (elapsed > (sampleMs * 1e6) / 4 || n > 1e7) {
        iterations.push(Math.max(1, Math.round((n * sampleMs * 1e6) / Math.max(elapsed, 1))));
        break;
      }
      n *= 4;
    }
  }
  const perOp: number[][] = cases.map(() => []);
  for (let s = 0; s < samples; s++) {
    for (const [index, c] of cases.entries()) {
      const n = iterations[index] as number;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await c.run();
      perOp[index]?.push(Number(process.hrtime.bigint() - start) / n);
    }
  }
  return cases.map((c, index) => {
    const sorted = (perOp[index] as number[]).sort((a, b) => a - b);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] as number;
    return { name: c.name, medianNs: q(0.5), p10Ns: q(0.1), p90Ns: q(0.9), samples: sorted.length };
  });
}
