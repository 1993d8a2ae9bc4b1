import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSubjectToken, encodeSubjectToken } from '../../src/cluster/subject-token.js';

describe('subject tokens', () => {
  it('keeps letters, digits and dashes, and escapes every other byte as _ and two hex digits', () => {
    assert.equal(encodeSubjectToken('SIM'), 'SIM');
    assert.equal(encodeSubjectToken('BTC/USDT'), 'BTC_2FUSDT');
    assert.equal(encodeSubjectToken('BTC/USDT:USDT'), 'BTC_2FUSDT_3AUSDT');
    assert.equal(encodeSubjectToken('ETH.BTC'), 'ETH_2EBTC');
    assert.equal(encodeSubjectToken('BINANCE_US'), 'BINANCE_5FUS');
    assert.equal(encodeSubjectToken('1000PEPE-PERP'), '1000PEPE-PERP');
  });

  it('never yields a character with meaning in a subject', () => {
    for (const name of ['a.b', 'a*b', 'a>b', 'a b', 'a\tb', 'x/y:z', 'é']) {
      assert.match(encodeSubjectToken(name), /^[A-Za-z0-9_-]+$/, name);
    }
  });

  it('decodes what it encodes, and is one-to-one', () => {
    const names = ['BTC/USDT', 'BTC_2FUSDT', 'btc/usdt', 'ETH.BTC', 'A_B', 'A/B', 'é/€'];
    const tokens = names.map(encodeSubjectToken);
    assert.equal(new Set(tokens).size, names.length);
    for (const [i, token] of tokens.entries()) assert.equal(decodeSubjectToken(token), names[i]);
  });

  it('refuses tokens it would not make: empty, bad escapes, escaped plain characters, wildcards', () => {
    for (const token of ['', '_', '_2', '_2f', '_ZZ', 'A.B', '*', '>', '_41', 'A B']) {
      assert.equal(decodeSubjectToken(token), undefined, JSON.stringify(token));
    }
    assert.throws(() => encodeSubjectToken(''), RangeError);
  });
});
