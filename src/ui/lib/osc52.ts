/**
 * The clipboard over any terminal link: OSC 52 (`ESC ] 52 ; c ; <base64> BEL`), which the terminal at the far end
 * of SSH carries out. Inside tmux it needs nothing more: tmux's default `set-clipboard external` passes an
 * application's OSC 52 on to the outer terminal (tmux(1), set-clipboard); no DCS passthrough, which is off by default.
 */

/**
 * The most text copied, in UTF-8 bytes: its base64 stays under the ~100 kB many terminals take in one OSC 52
 * (hterm, vim-oscyank's limit); the error and evidence are bounded well below it anyway.
 */
export const OSC52_MAX_BYTES = 64 * 1024;

/** The escape sequence that puts `text` on the clipboard, and whether the text had to be cut to fit. */
export function osc52(text: string, maxBytes = OSC52_MAX_BYTES): { sequence: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  const cut = bytes.length > maxBytes;
  // Cut at a character boundary: a split UTF-8 sequence would paste as a replacement character.
  const kept = cut ? Buffer.from(bytes.subarray(0, maxBytes).toString('utf8').replace(/\uFFFD+$/, ''), 'utf8') : bytes;
  return { sequence: `\u001b]52;c;${kept.toString('base64')}\u0007`, cut };
}
