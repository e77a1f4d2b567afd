/** How much of a field is escaped: see {@link escapeField}. */
export type EscapeMode = 'quoted' | 'bare' | 'controls';

const ESCAPES: Readonly<Record<EscapeMode, RegExp>> = {
  /** Inside a quoted field: quotes, backslashes and control characters. */
  quoted: /["\\\u0000-\u001f\u007f]/g,
  /** A field without quotes: whitespace too, so fields still split on spaces. */
  bare: /[\s"\\\u0000-\u001f\u007f]/g,
  /** Control characters only (templates), so a peer cannot forge log lines. */
  controls: /[\u0000-\u001f\u007f]/g,
};

/** The same classes without the global flag: a `test` that keeps no state, to skip `replace` for clean text. */
const NEEDS_ESCAPE: Readonly<Record<EscapeMode, RegExp>> = {
  quoted: /["\\\u0000-\u001f\u007f]/,
  bare: /[\s"\\\u0000-\u001f\u007f]/,
  controls: /[\u0000-\u001f\u007f]/,
};

const hexEscape = (c: string): string => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** Escapes what a log reader would trip on, nginx style (`\xHH`); clean text is returned as is. */
export function escapeField(text: string, mode: EscapeMode): string {
  return NEEDS_ESCAPE[mode].test(text) ? text.replace(ESCAPES[mode], hexEscape) : text;
}

/**
 * {@link escapeField} remembering its last input: the fields of consecutive records (a peer's
 * address and user agent, a principal, a method) mostly repeat, so a repeat costs a comparison.
 */
export class LastEscaped {
  private input: string | undefined = undefined;
  private output = '';

  constructor(private readonly mode: EscapeMode) {}

  /** `text` escaped. */
  of(text: string): string {
    if (text !== this.input) {
      this.output = escapeField(text, this.mode);
      this.input = text;
    }
    return this.output;
  }
}
