/**
 * Where a campaign reads Mastodon: an instance is named by its host (`mastodon.social`, meaning
 * https://mastodon.social/) or by a base URL (`http://127.0.0.1:4200/` or one under a path prefix such as
 * `http://127.0.0.1:4200/i/mastodon.social/`), so any Mastodon-compatible server can be named.
 */
export interface MastodonInstance {
  /** The base URL every API path is resolved against; always ends with `/`. Also the instance's key. */
  baseUrl: string;
  /** The instance's name for people: its host, plus its path when it has one (two instances may share a host). */
  name: string;
}

const HOST =
  /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;

export class MastodonInstanceError extends Error {
  override name = 'MastodonInstanceError';
}

/** Reads an instance as written in a campaign file or MASTODON_TOKENS; throws MastodonInstanceError. */
export function parseInstance(value: string): MastodonInstance {
  const text = value.trim();
  if (HOST.test(text)) return described(new URL(`https://${text.toLowerCase()}/`));
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MastodonInstanceError(
      `"${value}" is not a Mastodon instance: expected a host name such as mastodon.social or a base URL such as http://127.0.0.1:4200/`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new MastodonInstanceError(`"${value}": a Mastodon instance is reached over http: or https:`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new MastodonInstanceError(
      `"${value}": a Mastodon base URL has no query, fragment or credentials (tokens go in MASTODON_TOKENS)`,
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return described(url);
}

function described(url: URL): MastodonInstance {
  const path = url.pathname === '/' ? '' : url.pathname.slice(0, -1);
  return { baseUrl: url.href, name: `${url.host}${path}` };
}

/**
 * Reads `MASTODON_TOKENS` (`instance=token,instance=token`; an instance as in a campaign file) into tokens
 * keyed by base URL. A token never appears in an error message.
 */
export function parseMastodonTokens(setting: string | undefined): Map<string, string> {
  const tokens = new Map<string, string>();
  if (!setting?.trim()) return tokens;
  for (const [index, entry] of setting.split(',').entries()) {
    const item = entry.trim();
    if (!item) continue;
    const equals = item.indexOf('=');
    const token = equals < 0 ? '' : item.slice(equals + 1).trim();
    if (equals <= 0 || !token) {
      throw new MastodonInstanceError(
        `MASTODON_TOKENS entry ${index + 1} is not instance=token (e.g. mastodon.social=abc123,http://127.0.0.1:4200/=def456)`,
      );
    }
    if (/\s/.test(token))
      throw new MastodonInstanceError(`MASTODON_TOKENS entry ${index + 1}: a token has no spaces`);
    const instance = parseInstance(item.slice(0, equals));
    if (tokens.has(instance.baseUrl)) {
      throw new MastodonInstanceError(`MASTODON_TOKENS names ${instance.name} twice`);
    }
    tokens.set(instance.baseUrl, token);
  }
  return tokens;
}
