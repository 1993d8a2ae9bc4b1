/**
 * A connection URL fit for logs and error messages: the password, if any, is replaced by `***`.
 * A value that does not parse as a URL is shown by its scheme only, since it may hold anything.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(value)?.[0];
    return scheme ? `${scheme}//(not shown: not a valid URL)` : '(not shown: not a valid URL)';
  }
}
