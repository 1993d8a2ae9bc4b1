/** The servers of a NATS_URL with any credentials left out, for logs, stats and errors. */
export function displayServers(natsUrl: string): string {
  return natsUrl
    .split(',')
    .map((server) => {
      try {
        const url = new URL(server.trim());
        return `${url.protocol}//${url.host}`;
      } catch {
        return '(not shown: not a valid URL)';
      }
    })
    .join(',');
}
