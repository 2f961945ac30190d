import type { Context } from 'hono';
import { languageDetector } from 'hono/language';
import { isLang, type Lang, languages } from '../../src/present/i18n.ts';

/** `?lang=fr|en` first, then the Accept-Language header, else English. Nothing is stored. */
export const detectLanguage = languageDetector({
  supportedLanguages: [...languages],
  fallbackLanguage: 'en',
  order: ['querystring', 'header'],
  lookupQueryString: 'lang',
  caches: false,
});

export function langOf(c: Context): Lang {
  const detected = c.get('language');
  return detected && isLang(detected) ? detected : 'en';
}

/** The current address in the other language, for the switch link. */
export function switchLanguageHref(c: Context, lang: Lang): string {
  const url = new URL(c.req.url);
  url.searchParams.set('lang', lang === 'fr' ? 'en' : 'fr');
  return `${url.pathname}${url.search}`;
}
