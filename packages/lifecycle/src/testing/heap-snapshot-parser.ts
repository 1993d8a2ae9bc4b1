/** How many objects of one type a heap holds, and their summed self size in bytes. */
export interface TypeCount {
  count: number;
  size: number;
}

/**
 * Objects in a heap grouped by type name: the constructor name for JavaScript objects
 * (`LeakedRecord`, `Object`, `Array`), V8's own name for internal and embedder objects
 * (`system / Context`), and the node type in parentheses for the rest (`(string)`, `(closure)`,
 * `(array)`, `(code)`), like the summary view of Chrome DevTools.
 */
export type HeapCensus = Map<string, TypeCount>;

/** Node types whose nodes are named by what they are, so their name is the group. */
const NAMED_TYPES = new Set(['object', 'native', 'hidden', 'synthetic']);
const NODES_MARKER = '"nodes":[';
const STRINGS_MARKER = '"strings":[';
/** The snapshot header (meta data) is a few KB; anything far larger is not a heap snapshot. */
const MAX_HEADER_CHARS = 1 << 20;
const QUOTE = 34;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const DIGIT_0 = 48;
const DIGIT_9 = 57;

interface NodeLayout {
  fieldCount: number;
  typeField: number;
  nameField: number;
  sizeField: number;
  typeNames: string[];
}

/**
 * Reads a V8 heap snapshot (the `.heapsnapshot` JSON) chunk by chunk and counts its nodes by type,
 * without ever holding the whole text or its arrays: the snapshot of a 100 MB heap is about
 * 200 MB of JSON, and JSON.parse would need more memory than the heap under examination. Only the
 * node array and the names it refers to are read; edges are skipped, and reading stops once every
 * needed name is known.
 */
export class HeapSnapshotParser {
  #phase: 'header' | 'nodes' | 'seek-strings' | 'strings' | 'done' = 'header';
  /** Text kept across chunks: the header so far, or the tail that may hold half of a marker. */
  #carry = '';
  #layout: NodeLayout | undefined;
  /** Counts keyed by the string index of the name (named types) or by -(type index + 1). */
  readonly #counts = new Map<number, TypeCount>();
  #field = 0;
  #value = 0;
  #inNumber = false;
  #nodeType = 0;
  #nodeName = 0;
  #nodeSize = 0;
  readonly #names = new Map<number, string>();
  #namesWanted = 0;
  #stringIndex = 0;
  #inString = false;
  #literal = '';
  /** The current string literal's text so far ends in an odd run of backslashes. */
  #escapePending = false;

  /** Feeds the next chunk; returns true once the parser needs no more input. */
  write(chunk: string): boolean {
    let text = chunk;
    if (this.#phase === 'header') text = this.#readHeader(text);
    if (this.#phase === 'nodes') text = this.#readNodes(text);
    if (this.#phase === 'seek-strings') text = this.#seek(text);
    if (this.#phase === 'strings') this.#readStrings(text);
    return this.#phase === 'done';
  }

  /** The census; throws a SyntaxError if the input ended before the names were read. */
  result(): HeapCensus {
    if (this.#phase !== 'done' || !this.#layout) {
      throw new SyntaxError(`heap snapshot ended early (while reading ${this.#phase})`);
    }
    const census: HeapCensus = new Map();
    for (const [key, { count, size }] of this.#counts) {
      const name =
        key >= 0
          ? (this.#names.get(key) ?? '(unnamed)')
          : `(${this.#layout.typeNames[-key - 1] ?? 'unknown'})`;
      const entry = census.get(name);
      if (entry) {
        entry.count += count;
        entry.size += size;
      } else {
        census.set(name, { count, size });
      }
    }
    return census;
  }

  #readHeader(chunk: string): string {
    this.#carry += chunk;
    const at = this.#carry.indexOf(NODES_MARKER);
    if (at === -1) {
      if (this.#carry.length > MAX_HEADER_CHARS)
        throw new SyntaxError('not a heap snapshot: no "nodes" array');
      return '';
    }
    const header = this.#carry.slice(0, at).trimEnd().replace(/,$/, '');
    const rest = this.#carry.slice(at + NODES_MARKER.length);
    this.#carry = '';
    this.#layout = parseLayout(header);
    this.#phase = 'nodes';
    return rest;
  }

  #readNodes(chunk: string): string {
    // Locals in the hot loop: a snapshot has millions of numbers here.
    let value = this.#value;
    let inNumber = this.#inNumber;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c >= DIGIT_0 && c <= DIGIT_9) {
        value = value * 10 + (c - DIGIT_0);
        inNumber = true;
        continue;
      }
      if (inNumber) {
        this.#acceptField(value);
        value = 0;
        inNumber = false;
      }
      if (c === CLOSE_BRACKET) {
        this.#value = 0;
        this.#inNumber = false;
        this.#phase = 'seek-strings';
        this.#namesWanted = [...this.#counts.keys()].filter((key) => key >= 0).length;
        return chunk.slice(i + 1);
      }
    }
    this.#value = value;
    this.#inNumber = inNumber;
    return '';
  }

  #acceptField(value: number): void {
    const layout = this.#layout as NodeLayout;
    const field = this.#field;
    if (field === layout.typeField) this.#nodeType = value;
    else if (field === layout.nameField) this.#nodeName = value;
    else if (field === layout.sizeField) this.#nodeSize = value;
    if (field + 1 < layout.fieldCount) {
      this.#field = field + 1;
      return;
    }
    this.#field = 0;
    const typeName = layout.typeNames[this.#nodeType] ?? '';
    const key = NAMED_TYPES.has(typeName) ? this.#nodeName : -(this.#nodeType + 1);
    const entry = this.#counts.get(key);
    if (entry) {
      entry.count++;
      entry.size += this.#nodeSize;
    } else {
      this.#counts.set(key, { count: 1, size: this.#nodeSize });
    }
  }

  /** Skips the edges and the other numeric arrays up to the strings. */
  #seek(chunk: string): string {
    const text = this.#carry + chunk;
    const at = text.indexOf(STRINGS_MARKER);
    if (at === -1) {
      this.#carry = text.slice(-(STRINGS_MARKER.length - 1));
      return '';
    }
    this.#carry = '';
    this.#phase = this.#namesWanted === 0 ? 'done' : 'strings';
    return text.slice(at + STRINGS_MARKER.length);
  }

  #readStrings(chunk: string): void {
    let at = 0;
    while (at < chunk.length && this.#phase === 'strings') {
      if (this.#inString) {
        at = this.#readLiteral(chunk, at);
        continue;
      }
      const c = chunk.charCodeAt(at++);
      if (c === QUOTE) {
        this.#inString = true;
        this.#literal = '';
        this.#escapePending = false;
      } else if (c === CLOSE_BRACKET) {
        this.#phase = 'done';
      }
    }
  }

  /** Reads string literal text from `start`; returns where reading stopped. */
  #readLiteral(chunk: string, start: number): number {
    const wanted = this.#counts.has(this.#stringIndex);
    let from = start;
    for (;;) {
      const quote = chunk.indexOf('"', from);
      if (quote === -1) {
        if (wanted) this.#literal += chunk.slice(start);
        this.#escapePending = endsInOddBackslashes(chunk, start, chunk.length, this.#escapePending);
        return chunk.length;
      }
      if (endsInOddBackslashes(chunk, start, quote, this.#escapePending)) {
        from = quote + 1;
        continue;
      }
      if (wanted) {
        this.#names.set(
          this.#stringIndex,
          JSON.parse(`"${this.#literal}${chunk.slice(start, quote)}"`) as string,
        );
        if (this.#names.size === this.#namesWanted) this.#phase = 'done';
      }
      this.#literal = '';
      this.#inString = false;
      this.#stringIndex++;
      return quote + 1;
    }
  }
}

/**
 * Whether chunk[start, end) ends in an odd run of backslashes, so the character at `end` is
 * escaped. `pendingBefore` carries the answer for the text before `start` (the previous chunk),
 * which counts only when the run reaches back to `start`.
 */
function endsInOddBackslashes(chunk: string, start: number, end: number, pendingBefore: boolean): boolean {
  let i = end - 1;
  while (i >= start && chunk.charCodeAt(i) === BACKSLASH) i--;
  const run = end - 1 - i;
  const odd = run % 2 === 1;
  return i < start && pendingBefore ? !odd : odd;
}

function parseLayout(header: string): NodeLayout {
  const parsed = JSON.parse(`${header}}`) as {
    snapshot?: { meta?: { node_fields?: unknown; node_types?: unknown } };
  };
  const fields = parsed.snapshot?.meta?.node_fields;
  const types = (parsed.snapshot?.meta?.node_types as unknown[] | undefined)?.[0];
  if (!isStringArray(fields) || !isStringArray(types)) {
    throw new SyntaxError('not a heap snapshot: meta has no node_fields or node_types');
  }
  const layout = {
    fieldCount: fields.length,
    typeField: fields.indexOf('type'),
    nameField: fields.indexOf('name'),
    sizeField: fields.indexOf('self_size'),
    typeNames: types,
  };
  if (layout.typeField < 0 || layout.nameField < 0 || layout.sizeField < 0) {
    throw new SyntaxError(`unsupported heap snapshot: node fields are ${fields.join(', ')}`);
  }
  return layout;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
