import { z } from 'zod';

/** The five large fields of a report, named as the seed named them. */
export const LARGE_FIELDS = [
  'html_content',
  'css_content',
  'js_content',
  'html_content_en',
  'js_content_en',
] as const;

export interface ReportContent {
  /** The report in the second language (Vietnamese), the seed's primary field. */
  html_content: string;
  css_content: string;
  js_content: string;
  html_content_en: string;
  js_content_en: string;
}

/** A generated report before it is saved: metadata plus content. */
export interface GeneratedReport extends ReportContent {
  id: string;
  created_at: number;
  kind: 'auto' | 'manual';
  /** The user id of the api key that asked for it; null for a scheduled report (everyone's). */
  owner: string | null;
  title: string;
  summary: Record<string, unknown>;
}

/** A saved report as lists show it: never the large fields. */
export interface ReportSummary {
  id: string;
  created_at: number;
  kind: 'auto' | 'manual';
  owner: string | null;
  title: string;
  summary: Record<string, unknown>;
  size_bytes: number;
}

export function contentBytes(content: ReportContent): number {
  return LARGE_FIELDS.reduce((sum, field) => sum + Buffer.byteLength(content[field]), 0);
}

/**
 * A generated report as it is read back from a file of the pending queue: written by this
 * service, but a disk, a crash or an older version may have left anything there.
 */
export const generatedReportSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  created_at: z.number().int().min(0),
  kind: z.enum(['auto', 'manual']),
  // Files queued before reports had owners carry none: they are scheduled reports or the admin's.
  owner: z.string().max(64).nullable().default(null),
  title: z.string().max(1000),
  summary: z.record(z.string(), z.unknown()),
  html_content: z.string(),
  css_content: z.string(),
  js_content: z.string(),
  html_content_en: z.string(),
  js_content_en: z.string(),
});
