/**
 * Where some code was called from, captured with `Error.captureStackTrace`. V8 records the frames
 * at capture time but formats them only when `stack` is first read, so capturing is cheap and
 * formatting is paid only for what gets reported.
 *
 * Until it is read, the unformatted trace holds each frame's function and receiver: a site kept
 * beside an object that must stay collectable has to be formatted at once (see {@link formatCallSite}).
 */
export interface CallSite {
  readonly stack?: string;
}

/** Captures the stack of the caller of `captureCallSite`, starting with that caller's own frame. */
export function captureCallSite(): CallSite {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, captureCallSite);
  return site;
}

/**
 * The frames of a site, one `at ...` line each, without the `Error` header line and without the
 * first `skip` frames (the toolkit's own method that captured it).
 */
export function formatCallSite(site: CallSite, skip: number): string {
  const lines = (site.stack ?? '').split('\n');
  return lines.slice(1 + skip).join('\n');
}
