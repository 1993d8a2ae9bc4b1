import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { MODE_LABELS, parseMode } from '../../src/protocol/modes.js';
import { protocolError } from '../support/protocol-errors.js';

describe('parseMode', () => {
  it('takes the numbers 1, 2 and 3', () => {
    assert.equal(parseMode(1, 2), 1);
    assert.equal(parseMode(2, 1), 2);
    assert.equal(parseMode(3, 2), 3);
  });

  it('takes the labels in any case, around whitespace', () => {
    const labels: [string, number][] = [
      ['ltp', 1],
      ['LTP', 1],
      ['Ltp', 1],
      ['quote', 2],
      ['Quote', 2],
      ['QUOTE', 2],
      [' quote ', 2],
      ['depth', 3],
      ['Depth', 3],
      ['DEPTH', 3],
    ];
    for (const [label, mode] of labels) assert.equal(parseMode(label, 1), mode, label);
  });

  it('gives the fallback for a missing or null mode', () => {
    assert.equal(parseMode(undefined, 2), 2);
    assert.equal(parseMode(null, 3), 3);
  });

  // Python's True == 1 made upstream take `true` as LTP; a string "1" is a client bug, not a mode.
  const rejected: [string, unknown][] = [
    ['true', true],
    ['false', false],
    ['the string "1"', '1'],
    ['the string "2"', '2'],
    ['an array', [1]],
    ['an object', { mode: 1 }],
    ['0', 0],
    ['4', 4],
    ['9', 9],
    ['1.5', 1.5],
    ['-1', -1],
    ['an empty string', ''],
    ['an unknown label', 'full'],
    // Names every plain object answers to: a lookup without an own-property check finds them.
    ['"constructor"', 'constructor'],
    ['"__proto__"', '__proto__'],
    ['"toString"', 'toString'],
    ['"hasOwnProperty"', 'hasOwnProperty'],
  ];
  for (const [what, value] of rejected) {
    it(`rejects ${what} with INVALID_MODE`, () => {
      assert.throws(() => parseMode(value, 2), protocolError(ErrorCode.INVALID_MODE));
    });
  }
});

describe('MODE_LABELS', () => {
  it('names the modes as acknowledgements spell them', () => {
    assert.deepEqual(MODE_LABELS, { 1: 'LTP', 2: 'Quote', 3: 'Depth' });
  });
});
