/** The `Link` header Mastodon pages with: `<url>; rel="next", <url>; rel="prev"` (RFC 8288). */
export function parseLinkHeader(value: string | null): Map<string, string> {
  const links = new Map<string, string>();
  if (!value) return links;
  for (const match of value.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";,]+)"?/i.exec(match[2] ?? '')?.[1];
    if (!rel || !match[1]) continue;
    for (const name of rel.trim().split(/\s+/)) if (!links.has(name)) links.set(name, match[1]);
  }
  return links;
}
