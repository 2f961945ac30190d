/**
 * Mastodon sends a status's text as HTML (`content`) and an account's bio as HTML (`note`). The tracker
 * stores plain text: tags are dropped (never passed through, so nothing of the markup can reach a page),
 * paragraphs and line breaks become newlines, entities are decoded. The `quote-inline` paragraph
 * ("RE: <link>") that Mastodon 4.5 adds for clients without quote support is left out: the quote is
 * carried by the `quote` attribute, not by the text.
 */
const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>|<!--[\s\S]*?-->/g;
const VOID = new Set(['br', 'img', 'hr', 'wbr', 'input', 'meta', 'link', 'source']);

export function htmlToText(html: string): string {
  let out = '';
  let last = 0;
  /** While inside a hidden element: its tag name and nesting depth. */
  let hidden: { tag: string; depth: number } | null = null;
  for (const match of html.matchAll(TAG)) {
    const index = match.index ?? 0;
    if (!hidden) out += html.slice(last, index);
    last = index + match[0].length;
    const tag = match[1]?.toLowerCase();
    if (!tag) continue; // a comment
    const closing = match[0].startsWith('</');
    if (hidden) {
      if (tag === hidden.tag && !VOID.has(tag)) hidden.depth += closing ? -1 : 1;
      if (hidden.depth === 0) hidden = null;
      continue;
    }
    if (!closing && /\bclass\s*=\s*["'][^"']*\bquote-inline\b/i.test(match[0]) && !VOID.has(tag)) {
      hidden = { tag, depth: 1 };
      continue;
    }
    if (tag === 'br') out += '\n';
    else if (tag === 'p' && closing) out += '\n\n';
  }
  if (!hidden) out += html.slice(last);
  return decodeEntities(out.replace(/<[^>]*$/, ''))
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      // Lone surrogates and NUL would make text no database or page accepts.
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
        ? String.fromCodePoint(code)
        : '\ufffd';
    }
    return NAMED[body.toLowerCase()] ?? entity;
  });
}
