/**
 * Where a status or an account lives. Counts and followers are authoritative only on the home instance
 * (a copy on another instance is updated when, and if, activities reach it), so the tracker reads them
 * there. Decided: the home id of a status comes from its `uri`, not from a search.
 *
 * - Mastodon's own URIs carry the home id: `https://host/users/<name>/statuses/<id>` (the classic form)
 *   and `https://host/ap/users/<account id>/statuses/<id>` (numeric ActivityPub ids, seen from 4.5 on);
 *   its `url` form `https://host/@<name>/<id>` carries it too. `GET /api/v1/statuses/:id` on that host
 *   then answers with the home copy, anonymously.
 * - `GET /api/v2/search?q=<uri>&resolve=false` cannot stand in: without `resolve` a URL query is not
 *   looked up at all, and `resolve=true` needs a user token (documented: "Public (without resolve or
 *   offset)", docs.joinmastodon.org/methods/search), which the tracker does not have for every home instance.
 * - A status from another server (Pleroma `/objects/<uuid>`, Misskey `/notes/<id>`…) has no Mastodon home
 *   id: `statusHome` returns null and the caller keeps the highest counts of the copies it saw.
 *
 * The API of a home lives on the host of its URIs (Mastodon's WEB_DOMAIN), which is not always the
 * domain in `user@domain` (LOCAL_DOMAIN): hosts are taken from URIs, never from handles, to reach it.
 */
export interface StatusHome {
  /** host of the status's uri, e.g. `mastodon.social` */
  host: string;
  /** the status's id on its home instance */
  id: string;
}

const STATUS_PATHS = [
  /^\/users\/[^/]+\/statuses\/(\d+)$/,
  /^\/ap\/users\/\d+\/statuses\/(\d+)$/,
  /^\/@[^/]+\/(\d+)$/,
];

export function statusHome(uri: string, url?: string | null): StatusHome | null {
  for (const candidate of [uri, url]) {
    if (!candidate) continue;
    let parsed: URL;
    try {
      parsed = new URL(candidate);
    } catch {
      continue;
    }
    for (const pattern of STATUS_PATHS) {
      const id = pattern.exec(parsed.pathname)?.[1];
      if (id) return { host: parsed.host.toLowerCase(), id };
    }
  }
  return null;
}

/** The host an account's or status's URI names (its home's API host); null for a URI that is no URL. */
export function uriHost(uri: string): string | null {
  try {
    return new URL(uri).host.toLowerCase() || null;
  } catch {
    return null;
  }
}
