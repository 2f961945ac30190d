import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { ManualClock } from '../../src/clock.ts';
import {
  createSimulator,
  generateScenario,
  type Scenario,
  type SimulatorAppOptions,
} from '../../src/simulator/index.ts';

/**
 * Every endpoint's responses, errors included, against X's published OpenAPI spec (2.166, the last with
 * the classic names), and against the shapes of real captured bodies (tests/fixtures/x-api, each with
 * its .source.txt). The spec is relaxed only where the README of shared/x-api says X departs from it:
 * usage numbers as strings, bookmark/impression counts absent from older captures, either host in a
 * problem's `type`. A second, stricter pass also forbids any property the spec does not declare, so the
 * simulator cannot invent fields.
 */

export const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/x-api/${name}`, import.meta.url), 'utf8');
export const capture = (name: string) => JSON.parse(fixture(name)) as Record<string, unknown>;
// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
export const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

export interface OpenApi {
  paths: Record<
    string,
    { get: { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> } }
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
}

/** The spec with the README's three relaxations; `strict` also closes every plain object schema. */
export function loadSpec(strict: boolean): OpenApi {
  const spec = JSON.parse(fixture('openapi-2.166.json')) as OpenApi;
  const schemas = spec.components.schemas;
  const stringOrInteger = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }] };
  const usage = schemas.Usage as { properties: Record<string, Record<string, unknown>> };
  usage.properties.project_cap = stringOrInteger;
  usage.properties.project_usage = stringOrInteger;
  const daily = usage.properties.daily_project_usage as { properties: Record<string, unknown> };
  daily.properties.project_id = stringOrInteger;
  (schemas.UsageFields as { properties: Record<string, unknown> }).properties.usage = stringOrInteger;
  const metrics = (schemas.Tweet as { properties: { public_metrics: { required: string[] } } }).properties
    .public_metrics;
  metrics.required = metrics.required.filter(
    (name) => name !== 'bookmark_count' && name !== 'impression_count',
  );
  if (strict) {
    const inAllOf = new Set<string>();
    JSON.stringify(schemas, (key, value) => {
      if (key === 'allOf') for (const part of value as Array<{ $ref?: string }>) inAllOf.add(part.$ref ?? '');
      return value;
    });
    const close = (schema: Record<string, unknown>) => {
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (!properties || schema.allOf || schema.additionalProperties !== undefined) return;
      schema.additionalProperties = false;
      for (const child of Object.values(properties)) {
        close(child);
        if (child.items) close(child.items as Record<string, unknown>);
      }
    };
    for (const [name, schema] of Object.entries(schemas)) {
      if (!inAllOf.has(`#/components/schemas/${name}`)) close(schema);
    }
  }
  return spec;
}

export class SpecValidator {
  readonly #ajv = new Ajv({ strict: false, allErrors: true });
  readonly #spec: OpenApi;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(strict: boolean) {
    this.#spec = loadSpec(strict);
    addFormats(this.#ajv);
    const formats = new Set<string>();
    JSON.stringify(this.#spec, (key, value) => {
      if (key === 'format' && typeof value === 'string') formats.add(value);
      return value;
    });
    // The spec uses formats no validator knows ("long", a regex as a format…): they annotate, nothing more.
    for (const format of formats) if (!this.#ajv.formats[format]) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema(this.#spec, 'spec');
  }

  /** Problems found in a body answered by `pathTemplate` with `status` (empty when it conforms). */
  check(pathTemplate: string, status: number, body: unknown): string[] {
    if (status !== 200) return this.#problem(body, '');
    const operation = this.#spec.paths[pathTemplate]?.get;
    const ref = operation?.responses['200']?.content?.['application/json']?.schema.$ref;
    if (!ref) return [`no 200 schema for ${pathTemplate}`];
    const found = this.#validate(ref, body, '');
    const errors = (body as { errors?: unknown[] }).errors ?? [];
    errors.forEach((problem, i) => {
      found.push(...this.#problem(problem, `/errors/${i}`));
    });
    return found;
  }

  /** A problem validates against the schema its `type` maps to (api.x.com read as api.twitter.com). */
  #problem(body: unknown, at: string): string[] {
    const type = String((body as { type?: unknown }).type ?? '').replace(
      'https://api.x.com/2/problems/',
      'https://api.twitter.com/2/problems/',
    );
    const mapping = (
      this.#spec.components.schemas.Problem as { discriminator: { mapping: Record<string, string> } }
    ).discriminator.mapping;
    const ref = mapping[type];
    if (!ref) return [`${at || '/'}: problem type ${type} is not in the spec`];
    return this.#validate(ref, body, at);
  }

  #validate(ref: string, body: unknown, at: string): string[] {
    let validate = this.#compiled.get(ref);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `spec${ref}` });
      this.#compiled.set(ref, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${at}${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
    );
  }
}

export const TOKEN = 'spec-bearer';
export const NOW = '2016-12-08T15:00:00+01:00';
export const scenario: Scenario = generateScenario({ seed: 7, accounts: 60, posts: 600 });
export const home = scenario.users.find((user) => user.username === scenario.homeUsername);
export const before = (iso: string) => scenario.posts.filter((post) => post.createdAt < new Date(iso));

/** An account mentioned in posts before NOW, neither home nor watchlist: suspended in the fault scenario. */
export const mentionedUsername = (() => {
  const campaign = new Set([scenario.homeUsername, ...scenario.watchlist].map((name) => name.toLowerCase()));
  const counts = new Map<string, number>();
  for (const post of before(NOW))
    for (const name of post.mentions)
      if (!campaign.has(name.toLowerCase())) counts.set(name, (counts.get(name) ?? 0) + 1);
  const [name] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!name) throw new Error('no mentioned account in the scenario');
  return scenario.users.find((user) => user.username.toLowerCase() === name.toLowerCase())?.username ?? name;
})();
export const suspended = scenario.users.find((user) => user.username === mentionedUsername);
export const deletedPost = before(NOW).find((post) => post.kind === 'post' && post.authorId === home?.id);
export const replyToDeleted = scenario.posts.find(
  (post) => post.referencedId === deletedPost?.id && post.createdAt < new Date(NOW),
);

export function simulator(options: Partial<SimulatorAppOptions> = {}) {
  let realMs = Date.parse('2030-01-01T00:00:00Z');
  const sim = createSimulator({
    scenario,
    clock: new ManualClock(NOW),
    bearerToken: TOKEN,
    realNow: () => realMs,
    archiveSearchIntervalMs: 0,
    faults: {
      suspendedAccounts: { usernames: [mentionedUsername], at: '2016-12-08T00:00:00Z' },
      deletedPosts: { ids: deletedPost ? [deletedPost.id] : [], delayMs: 60_000 },
    },
    ...options,
  });
  const get = async (path: string, token = TOKEN) => {
    const res = await sim.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      text,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  };
  return { sim, get, advanceRealTime: (ms: number) => (realMs += ms) };
}
