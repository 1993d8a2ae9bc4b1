/**
 * How clients, scans and the configuration name markets. One definition, so a symbol accepted by
 * a subscribe is accepted by a scan and by INDEX_SYMBOLS alike.
 */

/** An exchange code as clients name it, e.g. SIM or BINANCE (case-insensitive on input). */
export const EXCHANGE_PATTERN = /^[A-Za-z0-9_]{1,32}$/;
export const EXCHANGE_DESCRIPTION = 'an exchange code such as SIM';

/** A symbol as exchanges list it, e.g. BTC/USDT or BTC/USDT:USDT (a swap). */
export const SYMBOL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
export const SYMBOL_DESCRIPTION = 'a symbol such as BTC/USDT';
