import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { Assets } from '../server/client-bundle.ts';

export interface LayoutProps {
  lang: Lang;
  title: string;
  demo: boolean;
  /** the same page in the other language */
  switchHref: string;
  /** absent on error pages, which must render even when the bundle does not */
  assets?: Assets | undefined;
  /** load the browser code (live pages, charts, admin forms) */
  script?: boolean;
  /** `screen`: the big screen, without the site's header (client/styles.css) */
  bodyClass?: string | undefined;
  children?: Child;
}

export const Layout: FC<LayoutProps> = ({
  lang,
  title,
  demo,
  switchHref,
  assets,
  script,
  bodyClass,
  children,
}) => {
  const t = dictionaries[lang];
  const other = lang === 'fr' ? 'en' : 'fr';
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          {assets && <link rel="stylesheet" href={assets.style.path} />}
          {assets && script && <script type="module" src={assets.script.path} />}
        </head>
        <body class={bodyClass}>
          <a class="skip-link" href="#main">
            {t.skipToContent}
          </a>
          {demo && (
            <p class="demo-banner" role="status">
              {t.demo}
            </p>
          )}
          <header class="top">
            <nav class="top-nav">
              <a class="brand" href={`/?lang=${lang}`}>
                {t.appName}
              </a>
              <a href={`/ops?lang=${lang}`}>{t.operations}</a>
            </nav>
            <a class="lang-switch" id="lang-switch" href={switchHref} hreflang={other} lang={other}>
              {t.switchLanguage}
            </a>
          </header>
          <main id="main">{children}</main>
        </body>
      </html>
    </>
  );
};
