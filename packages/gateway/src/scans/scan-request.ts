import { z } from 'zod';
import { TIMEFRAMES } from '../domain/candle.js';
import {
  EXCHANGE_DESCRIPTION,
  EXCHANGE_PATTERN,
  SYMBOL_DESCRIPTION,
  SYMBOL_PATTERN,
} from '../domain/symbols.js';

export const INDICATORS = ['rsi', 'ma_cross', 'volatility', 'change'] as const;
export type Indicator = (typeof INDICATORS)[number];
export const RANK_BY = ['change', 'rsi', 'volatility', 'ma_spread'] as const;

/** The body of `POST /api/scans`, validated; `maxSymbols` is SCAN_MAX_SYMBOLS. */
export function scanRequestSchema(maxSymbols: number) {
  return z
    .object({
      exchange: z
        .string()
        .regex(EXCHANGE_PATTERN, EXCHANGE_DESCRIPTION)
        .transform((e) => e.toUpperCase())
        .default('SIM'),
      symbols: z
        .array(z.string().regex(SYMBOL_PATTERN, SYMBOL_DESCRIPTION))
        .min(1, 'at least one symbol')
        .max(maxSymbols, `at most ${maxSymbols} symbols`)
        .optional(),
      top: z
        .number()
        .int('a whole number')
        .min(1, 'at least 1')
        .max(maxSymbols, `at most ${maxSymbols}`)
        .optional(),
      timeframe: z.enum(TIMEFRAMES, { error: `one of ${TIMEFRAMES.join(', ')}` }).default('1h'),
      candles: z.number().int('a whole number').min(20, 'at least 20').max(1000, 'at most 1000').default(200),
      indicators: z
        .array(z.enum(INDICATORS, { error: `each one of ${INDICATORS.join(', ')}` }))
        .min(1, 'at least one indicator')
        .max(INDICATORS.length)
        .default([...INDICATORS]),
      rsi_period: z.number().int('a whole number').min(2, 'at least 2').max(100, 'at most 100').default(14),
      ma_fast: z.number().int('a whole number').min(2, 'at least 2').max(200, 'at most 200').default(9),
      ma_slow: z.number().int('a whole number').min(3, 'at least 3').max(400, 'at most 400').default(21),
      rank_by: z.enum(RANK_BY, { error: `one of ${RANK_BY.join(', ')}` }).default('change'),
      testnet: z.boolean('true or false').default(false),
      contract_type: z.enum(['spot', 'swap', 'future'], { error: 'spot, swap or future' }).default('spot'),
    })
    .strict()
    .superRefine((r, ctx) => {
      if ((r.symbols === undefined) === (r.top === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['symbols'],
          message: 'give either "symbols" or "top", not both',
        });
      }
      if (r.ma_fast >= r.ma_slow)
        ctx.addIssue({ code: 'custom', path: ['ma_fast'], message: 'must be below ma_slow' });
      const needed = Math.max(r.rsi_period + 1, r.ma_slow + 1);
      if (r.candles < needed) {
        ctx.addIssue({ code: 'custom', path: ['candles'], message: `at least ${needed} for these periods` });
      }
      const rankIndicator = r.rank_by === 'ma_spread' ? 'ma_cross' : r.rank_by;
      if (!r.indicators.includes(rankIndicator)) {
        ctx.addIssue({ code: 'custom', path: ['rank_by'], message: `needs the ${rankIndicator} indicator` });
      }
      if (new Set(r.indicators).size !== r.indicators.length) {
        ctx.addIssue({ code: 'custom', path: ['indicators'], message: 'listed twice' });
      }
    });
}

export type ScanRequest = z.infer<ReturnType<typeof scanRequestSchema>>;
