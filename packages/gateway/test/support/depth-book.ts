import { packLevels, unpackLevels } from '../../src/domain/book-side.js';
import type { DepthBook, DepthLevel } from '../../src/domain/tick.js';

interface UnpackedBook {
  buy: DepthLevel[];
  sell: DepthLevel[];
}

/** Both sides of a packed book as level objects, for assertions that read like the protocol. */
export function unpackBook(book: DepthBook): UnpackedBook;
export function unpackBook(book: DepthBook | undefined): UnpackedBook | undefined;
export function unpackBook(book: DepthBook | undefined): UnpackedBook | undefined {
  return book && { buy: unpackLevels(book.buy), sell: unpackLevels(book.sell) };
}

/** A packed book from level objects. */
export function packBook(buy: readonly DepthLevel[], sell: readonly DepthLevel[]): DepthBook {
  return { buy: packLevels(buy), sell: packLevels(sell) };
}
