import type { Context } from 'hono';
import type { FC } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import { buildAssets } from '../server/client-bundle.ts';
import { langOf, switchLanguageHref } from './language.ts';
import { Layout } from './layout.tsx';

/** Never shows the message of a 5xx: it may carry internals. Admin refusals speak the page's language. */
export const ErrorPage: FC<{ lang: Lang; status: number; message: string; code?: string | undefined }> = ({
  lang,
  status,
  message,
  code,
}) => {
  const t = dictionaries[lang];
  const localized: Record<string, string> = {
    unauthorized: t.adminOnly,
    forbidden: t.wrongToken,
    admin_disabled: t.adminOff,
    unavailable: t.unavailable,
  };
  const heading =
    status === 404
      ? t.notFound
      : status >= 500
        ? (localized[code ?? ''] ?? t.internalError)
        : (localized[code ?? ''] ?? message);
  return (
    <>
      <h1>{heading}</h1>
      {status === 404 && <p>{message}</p>}
      <p>
        {status === 404 && `${t.notFoundHint} `}
        <a href={`/?lang=${lang}`}>{t.back}</a>
      </p>
    </>
  );
};

/** The error page of the HTML side; styled when the bundle is at hand, plain otherwise. */
export async function renderErrorPage(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
  demo: boolean,
  code?: string,
) {
  const lang = langOf(c);
  const assets = await buildAssets().catch(() => undefined);
  const t = dictionaries[lang];
  const title =
    status === 404
      ? t.notFound
      : status === 401 || status === 403
        ? t.admin
        : status >= 500
          ? t.internalError
          : t.appName;
  return c.html(
    <Layout lang={lang} title={title} demo={demo} switchHref={switchLanguageHref(c, lang)} assets={assets}>
      <ErrorPage lang={lang} status={status} message={message} code={code} />
    </Layout>,
    status,
  );
}
