import type { MiddlewareHandler } from 'hono';
import type { z } from 'zod';

/** A JSON Schema (draft 2020-12), as OpenAPI 3.1 takes it. */
export type JsonSchema = Record<string, unknown>;

export interface ResponseDoc {
  description: string;
  /** a JSON answer (application/json): the zod schema its handler's output is typed by */
  json?: z.ZodType;
  /** other media types, each with a zod or a JSON Schema of its body */
  content?: Record<string, z.ZodType | JsonSchema>;
  /** a stream of Server-Sent Events (text/event-stream): each event's name and the schema of its data */
  events?: Record<string, z.ZodType>;
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

/**
 * What a route says about itself in `/api/v1/openapi.json`. The route's validators add the rest:
 * `validQuery` its query schema, `validJson` its body schema, `requireAdmin` the bearer token.
 */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** path parameters by name; a parameter without one is a string described by its name alone */
  params?: Record<string, { description: string; schema?: JsonSchema }>;
  /** a body that is not JSON checked by `validJson` (a campaign file's text, say): its media types */
  requestBody?: { description: string; content: Record<string, JsonSchema> };
  /** the answers other than errors, by status */
  responses: Record<number, ResponseDoc>;
  /**
   * Errors beyond those the document derives (400 for a validated query or body, 404 for a route on a
   * campaign, 401 and 403 for an admin route, 429 where rate-limited, 500 everywhere), by status.
   */
  errors?: Record<number, string>;
}

/** What the validators of a route contribute to its description. */
export interface ValidatorDoc {
  query?: z.ZodType;
  body?: z.ZodType;
  admin?: true;
}

const docs = new WeakMap<object, RouteDoc | ValidatorDoc>();

/**
 * A middleware that does nothing but carry the route's description: put it first in the route's
 * handlers. The document reads it from the Hono app's routes, so a route and its description
 * cannot drift apart, and a route without one fails the document (and its test).
 */
export function describeRoute(doc: RouteDoc): MiddlewareHandler {
  const describe: MiddlewareHandler = (_c, next) => next();
  docs.set(describe, doc);
  return describe;
}

/** Marks a validator with what it checks, for the document. */
export function documentValidator<T extends object>(validator: T, doc: ValidatorDoc): T {
  docs.set(validator, doc);
  return validator;
}

export function docOf(handler: object): RouteDoc | ValidatorDoc | undefined {
  return docs.get(handler);
}

export const isRouteDoc = (doc: RouteDoc | ValidatorDoc): doc is RouteDoc => 'summary' in doc;
