import { ProtocolError, type ErrorCode } from '../../src/protocol/error-codes.js';

/** An `assert.throws` matcher for a ProtocolError of `code` (codes are the contract, messages are not). */
export function protocolError(code: ErrorCode) {
  return (error: unknown): boolean => {
    if (!(error instanceof ProtocolError)) return false;
    if (error.code !== code) throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
    return true;
  };
}
