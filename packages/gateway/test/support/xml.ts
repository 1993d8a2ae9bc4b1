/** An element of a parsed XML fragment; `text` is its own character data, entities decoded. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const TOKEN = /<\/([A-Za-z][\w:-]*)\s*>|<([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
const ATTRIBUTE = /([\w:-]+)="([^"<]*)"/g;

/**
 * A strict, small XML parser for the report's markup: every tag closed and nested, every
 * attribute quoted, no stray `<` and no `&` outside an entity. Throws, naming the offset, on
 * anything else, so a test that parses a fragment proves it well-formed.
 */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#root', attributes: {}, children: [], text: '' };
  const open: XmlElement[] = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (!match) throw new SyntaxError(`not well-formed at ${at}: ${source.slice(at, at + 40)}`);
    const [, closing, name, attributes, selfClosing, text] = match;
    const parent = open[open.length - 1] as XmlElement;
    if (text !== undefined) {
      parent.text += decode(text, at);
    } else if (closing !== undefined) {
      if (closing !== parent.name) throw new SyntaxError(`</${closing}> at ${at} closes <${parent.name}>`);
      open.pop();
    } else if (name !== undefined) {
      const element: XmlElement = { name, attributes: {}, children: [], text: '' };
      for (const [, key, value] of (attributes ?? '').matchAll(ATTRIBUTE)) {
        element.attributes[key as string] = decode(value as string, at);
      }
      parent.children.push(element);
      if (selfClosing !== '/') open.push(element);
    }
  }
  if (open.length !== 1) throw new SyntaxError(`<${open[open.length - 1]?.name}> is never closed`);
  return root;
}

/** Every element named `name` (`*`: every element) under `element`, in document order. */
export function findAll(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [
    ...(name === '*' || child.name === name ? [child] : []),
    ...findAll(child, name),
  ]);
}

/** The character data of `element` and all its descendants (its own first, then each child's). */
export function textOf(element: XmlElement): string {
  return element.text + element.children.map(textOf).join('');
}

function decode(text: string, at: number): string {
  if (/&(?!(?:#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);)/i.test(text)) {
    throw new SyntaxError(`a bare & near ${at}`);
  }
  return text.replace(
    ENTITY,
    (_m, dec: string | undefined, hex: string | undefined, name: string | undefined) =>
      dec !== undefined
        ? String.fromCodePoint(Number(dec))
        : hex !== undefined
          ? String.fromCodePoint(parseInt(hex, 16))
          : (NAMED[(name as string).toLowerCase()] as string),
  );
}
