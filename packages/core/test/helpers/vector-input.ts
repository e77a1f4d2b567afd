/**
 * Conformance vectors describe their input bytes in JSON. A spec is one of:
 * - a string: its UTF-8 bytes;
 * - `{ "hex": "e2 82 ac" }`: bytes in hex (spaces allowed), for invalid UTF-8 and binary;
 * - `{ "repeat": spec, "times": n }`: a spec repeated n times (deep nesting, huge strings);
 * - `{ "concat": [spec, ...] }`: specs one after the other.
 */
export type InputSpec =
  | string
  | { readonly hex: string }
  | { readonly repeat: InputSpec; readonly times: number }
  | { readonly concat: readonly InputSpec[] };

/** The bytes an {@link InputSpec} describes. */
export function inputBytes(spec: InputSpec): Buffer {
  if (typeof spec === 'string') return Buffer.from(spec, 'utf8');
  if ('hex' in spec) return Buffer.from(spec.hex.replace(/\s+/g, ''), 'hex');
  if ('repeat' in spec) {
    const unit = inputBytes(spec.repeat);
    const out = Buffer.allocUnsafe(unit.length * spec.times);
    for (let i = 0; i < spec.times; i++) unit.copy(out, i * unit.length);
    return out;
  }
  return Buffer.concat(spec.concat.map(inputBytes));
}
