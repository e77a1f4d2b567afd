// How the story looks in a terminal: one line per step, aligned tables, colour only on a TTY.

/** Outcome of one step of the story. */
export type StepOutcome = 'ok' | 'denied' | 'error' | 'wait';

/** One line of the story. */
export interface StepLine {
  readonly n: number;
  readonly who: string;
  readonly what: string;
  readonly outcome: StepOutcome;
  /** The JSON-RPC error code (none for a success or a wait). */
  readonly code?: number;
  /** As the client measured it, request to response. */
  readonly latencyMs?: number;
  readonly detail: string;
}

/** Colour when standard output is a terminal and NO_COLOR is not set (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const CODES = { bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36' } as const;

/** Paints text, or leaves it alone when colour is off. */
export type Painter = (style: keyof typeof CODES, text: string) => string;

export function painter(colour: boolean): Painter {
  return colour ? (style, text) => `\u001b[${CODES[style]}m${text}\u001b[0m` : (_style, text) => text;
}

const OUTCOME_STYLE: Record<StepOutcome, keyof typeof CODES> = { ok: 'green', denied: 'yellow', error: 'red', wait: 'blue' };

export const STEP_COLUMNS = { n: 3, who: 10, what: 34, outcome: 7, code: 6, latency: 10 } as const;

/** The header over the step lines. */
export function stepHeader(paint: Painter): string {
  const c = STEP_COLUMNS;
  return paint(
    'bold',
    `${'#'.padStart(c.n)}  ${'who'.padEnd(c.who)}${'what'.padEnd(c.what)}${'outcome'.padEnd(c.outcome)} ${'code'.padStart(c.code)} ${'latency'.padStart(c.latency)}  detail`,
  );
}

/** `  4  alice     tools/call slow {"ms":120}        ok          -   123.4 ms  slept 120 ms` */
export function stepLine(step: StepLine, paint: Painter): string {
  const c = STEP_COLUMNS;
  const code = step.code === undefined ? '-' : String(step.code);
  const latency = step.latencyMs === undefined ? '-' : `${step.latencyMs.toFixed(1)} ms`;
  const style = OUTCOME_STYLE[step.outcome];
  return [
    String(step.n).padStart(c.n),
    '  ',
    paint('bold', step.who.padEnd(c.who)),
    step.what.padEnd(c.what),
    paint(style, step.outcome.padEnd(c.outcome)),
    ' ',
    paint(style, code.padStart(c.code)),
    ' ',
    latency.padStart(c.latency),
    '  ',
    paint('dim', step.detail),
  ].join('');
}

/** A plain aligned table: a bold header row, then the rows, columns two spaces apart. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, paint: Painter, alignRight: readonly number[] = []): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, i) => (alignRight.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [paint('bold', format(header)), ...rows.map(format)];
}

/** A section title. */
export function heading(text: string, paint: Painter): string {
  return `\n${paint('bold', paint('cyan', text))}`;
}
