import type { Hono, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { type Metric, metrics } from '../../../src/rank/metrics.ts';
import { errorSchema } from '../../api-contract.ts';
import { slugPattern } from '../api-responses.ts';
import { metricDefinitions } from './metric-definitions.ts';
import {
  docOf,
  isRouteDoc,
  type JsonSchema,
  type ResponseDoc,
  type RouteDoc,
  type ValidatorDoc,
} from './route-docs.ts';

/** The routes the document describes: the JSON API and the machine probes (pages are for people). */
export function isApiRoute(path: string): boolean {
  return path.startsWith('/api/v1/') || ['/healthz', '/readyz', '/metrics'].includes(path);
}

export interface DocumentOptions {
  version: string;
  /** the routes the dashboard's rate limiter guards (dashboard/server/app.ts) */
  rateLimited: (path: string) => boolean;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
}

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters: Parameter[];
  requestBody?: { required: true; description?: string; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
  content?: Record<string, MediaType>;
}

/** `x-events`: a stream's events by name, each with the schema of its data. */
export interface MediaType {
  schema: JsonSchema;
  'x-events'?: Record<string, JsonSchema>;
}

/**
 * The OpenAPI 3.1 document of the dashboard's JSON API, built from the app's own routes: each route's
 * `describeRoute` (dashboard/server/openapi/route-docs.ts), the zod schemas of its validators and of its
 * answers. A route of the API without a description is an error, not a gap in the document.
 */
export function openApiDocument(app: Hono, options: DocumentOptions): OpenApiDocument {
  const definitions = metricDefinitions();
  const paths: OpenApiDocument['paths'] = {};
  for (const [key, handlers] of apiRoutes(app)) {
    const [method = '', path = ''] = key.split(' ');
    const parts = handlers.map(docOf).filter((doc) => doc !== undefined);
    const route = parts.find(isRouteDoc);
    if (!route) {
      throw new Error(
        `${key} has no describeRoute(…): describe it in its route file (dashboard/server/openapi/route-docs.ts)`,
      );
    }
    const validators: ValidatorDoc = Object.assign({}, ...parts.filter((doc) => !isRouteDoc(doc)));
    const openApiPath = path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}');
    paths[openApiPath] ??= {};
    paths[openApiPath][method.toLowerCase()] = operation(
      method,
      path,
      route,
      validators,
      options,
      definitions,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'campaign-tracker',
      version: options.version,
      description: describeApi(definitions),
    },
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: "the dashboard's ADMIN_TOKEN: none → 401, a wrong one → 403",
        },
      },
    },
  };
}

/** `GET /api/v1/campaigns/:slug/leaderboard` → its handlers, middleware first, in the app's order. */
function apiRoutes(app: Hono): Map<string, MiddlewareHandler[]> {
  const routes = new Map<string, MiddlewareHandler[]>();
  for (const route of app.routes) {
    // `ALL` entries are middleware mounted with `use`; HEAD follows GET by itself.
    if (route.method === 'ALL' || !isApiRoute(route.path)) continue;
    const key = `${route.method} ${route.path}`;
    routes.set(key, [...(routes.get(key) ?? []), route.handler as MiddlewareHandler]);
  }
  return routes;
}

function operation(
  method: string,
  path: string,
  route: RouteDoc,
  validators: ValidatorDoc,
  options: DocumentOptions,
  definitions: Record<Metric, string>,
): Operation {
  const pathParameters = [...path.matchAll(/:(\w+)/g)].map(([, name = '']): Parameter => {
    const doc = route.params?.[name] ?? knownPathParameters[name];
    return {
      name,
      in: 'path',
      required: true,
      description: doc?.description ?? name,
      schema: doc?.schema ?? { type: 'string' },
    };
  });
  const responses: Record<string, ResponseObject> = {};
  for (const [status, response] of Object.entries(route.responses))
    responses[status] = responseObject(response);
  for (const [status, description] of Object.entries(errorsOf(path, route, validators, options))) {
    responses[status] = errorResponse(Number(status), description);
  }
  return {
    operationId: operationId(method, path),
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(validators.admin ? { security: [{ adminToken: [] }] } : {}),
    parameters: [...pathParameters, ...queryParameters(validators.query, definitions)],
    ...(validators.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(validators.body, 'input') } },
          },
        }
      : route.requestBody
        ? {
            requestBody: {
              required: true,
              description: route.requestBody.description,
              content: Object.fromEntries(
                Object.entries(route.requestBody.content).map(([type, schema]) => [type, { schema }]),
              ),
            },
          }
        : {}),
    responses,
  };
}

const knownPathParameters: Record<string, { description: string; schema: JsonSchema }> = {
  slug: {
    description: "the campaign's slug, as its campaign file names it",
    schema: { type: 'string', pattern: slugPattern.source },
  },
};

/** The query's zod object, one parameter per property; an enum of metrics carries their definitions. */
function queryParameters(query: z.ZodType | undefined, definitions: Record<Metric, string>): Parameter[] {
  if (!query) return [];
  const object = jsonSchema(query, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, schema]) => {
    const values = Array.isArray(schema.enum) ? (schema.enum as string[]) : [];
    const described =
      values.length > 0 && values.every((value) => (metrics as readonly string[]).includes(value));
    const lines = described ? values.map((value) => `- \`${value}\`: ${definitions[value as Metric]}`) : [];
    const description = [schema.description, ...lines].filter(Boolean).join('\n');
    return {
      name,
      in: 'query',
      required: object.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema,
    };
  });
}

function errorsOf(path: string, route: RouteDoc, validators: ValidatorDoc, options: DocumentOptions) {
  const errors: Record<number, string> = {};
  if (validators.query || validators.body || route.requestBody)
    errors[400] = 'a parameter is invalid: the message names it and what it expects';
  if (validators.admin) {
    errors[401] = 'no admin token: send Authorization: Bearer <ADMIN_TOKEN>';
    errors[403] = 'the admin token is wrong, or ADMIN_TOKEN is not set on the dashboard';
  }
  if (path.includes(':slug')) errors[404] = 'no campaign with this slug';
  if (options.rateLimited(path))
    errors[429] = 'too many requests from this address: come back after Retry-After seconds';
  Object.assign(errors, route.errors);
  errors[500] = 'an unexpected failure (logged on the server; never a stack trace)';
  return errors;
}

const retryAfter = {
  description: 'seconds to wait before trying again',
  schema: { type: 'string', pattern: '^\\d+$' },
};

function errorResponse(status: number, description: string): ResponseObject {
  const headers: ResponseObject['headers'] =
    status === 401
      ? { 'WWW-Authenticate': { description: 'the Bearer challenge', schema: { type: 'string' } } }
      : status === 429 || status === 503
        ? { 'Retry-After': retryAfter }
        : undefined;
  return {
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: jsonSchema(errorSchema, 'output') } },
  };
}

function responseObject(response: ResponseDoc): ResponseObject {
  const content: Record<string, MediaType> = {};
  if (response.json) content['application/json'] = { schema: jsonSchema(response.json, 'output') };
  for (const [type, schema] of Object.entries(response.content ?? {})) {
    // A media type's parameters (`; charset=utf-8`) are the server's business, not the client's.
    content[mediaType(type)] = { schema: isZod(schema) ? jsonSchema(schema, 'output') : schema };
  }
  if (response.events) {
    // OpenAPI 3.1 has no schema for a stream's items: the events and their data are named beside it.
    const events = Object.fromEntries(
      Object.entries(response.events).map(([name, data]) => [name, jsonSchema(data, 'output')]),
    );
    content['text/event-stream'] = { schema: { type: 'string' }, 'x-events': events };
  }
  return {
    description: response.description,
    ...(response.headers ? { headers: response.headers } : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  };
}

export const mediaType = (contentType: string) => (contentType.split(';')[0] ?? '').trim();

const isZod = (schema: z.ZodType | JsonSchema): schema is z.ZodType => '_zod' in schema;

/** A zod schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1 (so without its own `$schema`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' });
  return rest;
}

/** `GET /api/v1/campaigns/:slug/leaderboard` → `getCampaignsBySlugLeaderboard`. */
function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/v1\//, '/')
    .split(/[/._-]+/)
    .filter(Boolean)
    .map((word) => (word.startsWith(':') ? `By${capitalise(word.slice(1))}` : capitalise(word)));
  return `${method.toLowerCase()}${words.join('')}`;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function describeApi(definitions: Record<Metric, string>): string {
  return [
    'The JSON API of the campaign tracker: campaigns, leaderboards, series, exports, live events, and the admin writes.',
    'Dates are ISO 8601 instants; X ids are strings. Errors are `{"error": {"code", "message"}}` with the status.',
    'Writes need `Authorization: Bearer <ADMIN_TOKEN>`.',
    '',
    '## Leaderboard metrics',
    '',
    ...metrics.map((metric) => `- \`${metric}\`: ${definitions[metric]}`),
  ].join('\n');
}
