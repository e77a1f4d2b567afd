/** The samples of a Prometheus text exposition, by `name{label="value",...}` with labels sorted. */
export interface Exposition {
  readonly samples: ReadonlyMap<string, number>;
  /** `# TYPE` of each family. */
  readonly types: ReadonlyMap<string, string>;
  /** The value of one sample (undefined when absent). */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** The samples of a family's series whose names start with `prefix`, as `key -> value`. */
  family(prefix: string): Record<string, number>;
}

/** A sample key: `name{a="1",b="2"}` with labels sorted by name (or the bare name). */
export function sampleKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (0.0.4). */
export function parseExposition(text: string): Exposition {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name as string, type as string);
      continue;
    }
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = JSON.parse(`"${l[2] as string}"`) as string;
    const raw = match[3] as string;
    samples.set(sampleKey(match[1] as string, labels), raw === '+Inf' ? Infinity : Number(raw));
  }
  return {
    samples,
    types,
    value: (name, labels) => samples.get(sampleKey(name, labels)),
    family(prefix) {
      const out: Record<string, number> = {};
      for (const [key, value] of samples) if (key.startsWith(prefix)) out[key] = value;
      return out;
    },
  };
}
