import escapeHtml from 'escape-html';

/**
 * Markup that is safe to put in a page as it is: the result of an {@link html} template, or text
 * the service built itself and marked with {@link trustedHtml}. Anything else interpolated into
 * a template is escaped.
 */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** What an {@link html} template accepts between `${` and `}`. */
export type Interpolation =
  SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

/**
 * A tagged template for HTML and SVG that escapes by default: every interpolated value is escaped
 * unless it is {@link SafeHtml} (a nested template). Arrays are joined, so a list of rows is
 * `${rows.map((r) => html`<tr>…</tr>`)}`; `null`, `undefined` and `false` render as nothing.
 * Escaping `& < > " '` makes a value safe in text and in quoted attributes, in HTML and in XML.
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let markup = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) markup += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(markup);
}

/**
 * Marks markup as safe without escaping it. Only for what the service built itself (a stored
 * report's own HTML, CSS and script); never for anything a client sent.
 */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.toString();
  if (isList(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

function isList(value: Interpolation): value is readonly Interpolation[] {
  return Array.isArray(value);
}
