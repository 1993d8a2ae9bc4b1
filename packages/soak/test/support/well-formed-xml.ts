import assert from 'node:assert/strict';

/**
 * Asserts that `text` is well-formed XML as far as an SVG file needs: every tag closed in
 * order, attributes quoted, no raw `<` or stray `&` in text. Returns the root element's name.
 */
export function assertWellFormedXml(text: string): string {
  const open: string[] = [];
  let root: string | undefined;
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?xml[^>]*\?>/g;
  let last = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    assertText(text.slice(last, m.index));
    last = tag.lastIndex;
    const [, closing, name, , selfClosing] = m;
    if (name === undefined) continue; // a comment or the XML declaration
    if (closing) {
      assert.equal(open.pop(), name, `</${name}> closes the wrong element`);
    } else {
      if (open.length === 0) {
        assert.equal(root, undefined, 'a second root element');
        root = name;
      }
      if (!selfClosing) open.push(name);
    }
  }
  assertText(text.slice(last));
  assert.deepEqual(open, [], 'elements left open');
  assert.ok(root, 'no root element');
  return root;
}

function assertText(text: string): void {
  assert.ok(!text.includes('<'), `a raw < or a malformed tag near: ${text.slice(0, 80)}`);
  assert.ok(
    !/&(?!(#\d+|#x[\da-fA-F]+|amp|lt|gt|quot|apos);)/.test(text),
    `a stray & near: ${text.slice(0, 80)}`,
  );
}
