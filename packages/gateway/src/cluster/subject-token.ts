/**
 * Exchange codes and symbols as NATS subject tokens. A subject is a dot-separated list of tokens,
 * and `*`, `>`, `.` and whitespace have meaning there, so a symbol such as `BTC/USDT:USDT` or
 * `ETH.BTC` cannot be used as it is. Letters, digits and `-` stay as they are; every other byte
 * becomes `_` and its two hex digits (`BTC/USDT` is `BTC_2FUSDT`, `_` itself is `_5F`). The
 * encoding is one-to-one, so a token read back from a subject names exactly one symbol.
 */

const PLAIN = /^[A-Za-z0-9-]$/;
const TOKEN = /^(?:[A-Za-z0-9-]|_[0-9A-F]{2})+$/;

export function encodeSubjectToken(name: string): string {
  if (name.length === 0) throw new RangeError('a subject token cannot be empty');
  let token = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    token += byte < 0x80 && PLAIN.test(char) ? char : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return token;
}

/** The name a token encodes, or undefined when `token` is not one {@link encodeSubjectToken} makes. */
export function decodeSubjectToken(token: string): string | undefined {
  if (!TOKEN.test(token)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '_') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  const name = Buffer.from(bytes).toString('utf8');
  // Only the canonical form decodes: `_41` for `A` would be a second token for the same name.
  return encodeSubjectToken(name) === token ? name : undefined;
}
