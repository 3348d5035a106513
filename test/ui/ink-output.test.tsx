import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
// Ink's output stage, patched by patches/ink+8.0.0.patch (applied by patch-package after every install). Not part of
// Ink's public exports, hence the path.
import Output from '../../node_modules/ink/build/output.js';

/** The private field the patch shares between instances. */
const cachesOf = (o: Output) => (o as unknown as { caches: { styledChars: Map<string, unknown> } }).caches;

const RED = '\u001B[31m';
const GREEN = '\u001B[32m';
const OFF = '\u001B[39m';

function Screen({ head, body, wide }: { head: string; body: string; wide: string }) {
  return (
    <Box flexDirection="column">
      <Text>{head}</Text>
      <Text>{body}</Text>
      {/* Laid out 10 wide, clipped to 5 by the output stage: a wide character cut in half becomes a space. */}
      <Box>
        <Box width={5} overflow="hidden">
          <Box width={10} flexShrink={0}>
            <Text>{wide}</Text>
          </Box>
        </Box>
        <Text>|</Text>
      </Box>
    </Box>
  );
}

describe("Ink's output caches, kept across frames", () => {
  it('are shared by every frame (the patch is applied), and a row made of the same cells is not rebuilt', () => {
    const a = new Output({ width: 8, height: 1 });
    const b = new Output({ width: 8, height: 1 });
    expect(cachesOf(a)).toBe(cachesOf(b));
    a.write(0, 0, `${RED}cached${OFF}`, { transformers: [] });
    expect(a.get().output).toBe(`${RED}cached${OFF}`);
    expect(cachesOf(b).styledChars.has(`${RED}cached${OFF}`)).toBe(true);
  });

  it('draw each frame exactly: changed lines, a colour change on the same text, a line seen two frames ago, clipped wide characters', () => {
    const { lastFrame, rerender, unmount } = render(<Screen head={`${RED}down${OFF} chatwoot`} body={'one\ntwo'} wide="ab漢字cd" />);
    expect(lastFrame()).toBe(`${RED}down${OFF} chatwoot\none\ntwo\nab漢 |`);

    rerender(<Screen head={`${GREEN}down${OFF} chatwoot`} body={'one\nthree'} wide="漢字abcd" />);
    expect(lastFrame()).toBe(`${GREEN}down${OFF} chatwoot\none\nthree\n漢字a|`);

    rerender(<Screen head={`${RED}down${OFF} chatwoot`} body={'one\ntwo'} wide="ab漢字cd" />);
    expect(lastFrame()).toBe(`${RED}down${OFF} chatwoot\none\ntwo\nab漢 |`);

    rerender(<Screen head="up chatwoot" body="one" wide="abc" />);
    expect(lastFrame()).toBe('up chatwoot\none\nabc  |');
    unmount();
  });
});
