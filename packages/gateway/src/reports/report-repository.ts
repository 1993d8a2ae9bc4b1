import type { ReportDatabase } from './report-database.js';
import {
  contentBytes,
  type GeneratedReport,
  type ReportContent,
  type ReportSummary,
} from './report-content.js';

/** Where a page of the list ends: its last report. */
export interface ReportCursor {
  createdAt: number;
  id: string;
}

/** Reports in the database, through the one query layer for SQLite and PostgreSQL. */
export class ReportRepository {
  readonly #database: ReportDatabase;

  constructor(database: ReportDatabase) {
    this.#database = database;
  }

  /**
   * Saves a report in one transaction: its metadata row and its contents row land together or
   * not at all. Saving an id that already exists is a no-op (a retry after an uncertain commit).
   */
  async save(report: GeneratedReport): Promise<'saved' | 'exists'> {
    return this.#database.db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('reports')
        .select('id')
        .where('id', '=', report.id)
        .executeTakeFirst();
      if (existing) return 'exists';
      await trx
        .insertInto('reports')
        .values({
          id: report.id,
          created_at: report.created_at,
          kind: report.kind,
          owner: report.owner,
          title: report.title,
          summary: JSON.stringify(report.summary),
          size_bytes: contentBytes(report),
        })
        .execute();
      await trx
        .insertInto('report_contents')
        .values({
          report_id: report.id,
          html_content: report.html_content,
          css_content: report.css_content,
          js_content: report.js_content,
          html_content_en: report.html_content_en,
          js_content_en: report.js_content_en,
        })
        .execute();
      return 'saved';
    });
  }

  /**
   * Newest first (ties on created_at broken by id). `before`, the last entry of the previous
   * page, pages back: a keyset, so reports created in the same millisecond are never skipped.
   * The large fields are never read. With `visibleTo`, only the scheduled reports and those of
   * that user.
   */
  async list(limit: number, before?: ReportCursor, visibleTo?: string): Promise<ReportSummary[]> {
    let query = this.#database.db
      .selectFrom('reports')
      .select(['id', 'created_at', 'kind', 'owner', 'title', 'summary', 'size_bytes'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (before !== undefined) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', before.createdAt),
          eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)]),
        ]),
      );
    }
    if (visibleTo !== undefined) {
      query = query.where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', visibleTo)]));
    }
    const rows = await query.execute();
    return rows.map(toSummary);
  }

  /** One report with its content, or undefined. */
  async get(id: string): Promise<(ReportSummary & ReportContent) | undefined> {
    const row = await this.#database.db
      .selectFrom('reports')
      .innerJoin('report_contents', 'report_contents.report_id', 'reports.id')
      .selectAll()
      .where('reports.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      ...toSummary(row),
      html_content: row.html_content,
      css_content: row.css_content,
      js_content: row.js_content,
      html_content_en: row.html_content_en,
      js_content_en: row.js_content_en,
    };
  }

  async count(): Promise<number> {
    const row = await this.#database.db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

function toSummary(row: {
  id: string;
  created_at: number | string;
  kind: 'auto' | 'manual';
  owner: string | null;
  title: string;
  summary: string;
  size_bytes: number | string;
}): ReportSummary {
  // PostgreSQL returns BIGINT as a string; both databases answer numbers here.
  return {
    id: row.id,
    created_at: Number(row.created_at),
    kind: row.kind,
    owner: row.owner,
    title: row.title,
    summary: JSON.parse(row.summary) as Record<string, unknown>,
    size_bytes: Number(row.size_bytes),
  };
}
