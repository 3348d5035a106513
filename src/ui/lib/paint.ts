import { styleText } from 'node:util';

/** How a piece of text is drawn: a theme colour, bold, inverse. */
export interface Paint {
  color?: string;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
}

type Format = Parameters<typeof styleText>[0];

// Decided once, as Ink's colour library does: never with NO_COLOR, as FORCE_COLOR says when set, else when stdout is a
// terminal that takes colours. Decided here, not by styleText: before Node 22.13 it ignores the stream and NO_COLOR.
const enabled = colorsWanted(process.env, process.stdout);

/** Whether to paint: NO_COLOR wins, then FORCE_COLOR ('0' or 'false' is off), then the terminal's own answer. */
export function colorsWanted(env: NodeJS.ProcessEnv, out: { hasColors?: () => boolean }): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return typeof out.hasColors === 'function' && out.hasColors();
}

/**
 * `text` styled by escape codes inside the string, so one Ink Text can hold a whole row of differently styled
 * cells without a nested Text (a component and a node, and Ink work on every frame) per cell. A Text whose own
 * props carry no style, holding runs painted here that never touch, is also tokenized by Ink once per frame
 * instead of twice (its style props would restyle the line after the first pass).
 */
export function paint(text: string, style: Paint): string {
  if (!enabled || text === '') return text;
  const formats: string[] = [];
  if (style.color) formats.push(style.color);
  if (style.bold) formats.push('bold');
  if (style.dim) formats.push('dim');
  if (style.inverse) formats.push('inverse');
  return formats.length ? styleText(formats as Format, text, { validateStream: false }) : text;
}
