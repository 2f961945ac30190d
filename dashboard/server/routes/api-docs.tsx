import type { Hono as App } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { packageVersion } from '../../../src/version.ts';
import { ApiDocsPage } from '../../views/api-docs-page.tsx';
import { langOf, switchLanguageHref } from '../../views/language.ts';
import { Layout } from '../../views/layout.tsx';
import { buildAssets } from '../client-bundle.ts';
import { type OpenApiDocument, openApiDocument } from '../openapi/document.ts';
import { describeRoute } from '../openapi/route-docs.ts';

export const documentPath = '/api/v1/openapi.json';

/**
 * `/api/v1/openapi.json` and `/api/docs`: the API's description, built from `app`'s routes on the
 * first request (every route is mounted by then) and kept, since routes do not change while it runs.
 */
export function apiDocRoutes(
  app: App,
  options: { demo: boolean; rateLimited: (path: string) => boolean },
): Hono {
  let document: OpenApiDocument | undefined;
  const documentOf = () => {
    document ??= openApiDocument(app, { version: packageVersion(), rateLimited: options.rateLimited });
    return document;
  };
  return new Hono()
    .get(
      documentPath,
      describeRoute({
        summary: 'This document: the API in OpenAPI 3.1',
        responses: {
          200: { description: 'the OpenAPI document', json: z.looseObject({ openapi: z.literal('3.1.0') }) },
        },
      }),
      (c) => c.json(documentOf()),
    )
    .get('/api/docs', async (c) => {
      const lang = langOf(c);
      return c.html(
        <Layout
          lang={lang}
          title={`API — ${documentOf().info.title}`}
          demo={options.demo}
          switchHref={switchLanguageHref(c, lang)}
          assets={await buildAssets()}
        >
          <ApiDocsPage document={documentOf()} documentUrl={documentPath} />
        </Layout>,
      );
    });
}
