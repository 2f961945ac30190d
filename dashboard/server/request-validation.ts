import { validator } from 'hono/validator';
import { z } from 'zod';
import { handleSchemas } from '../../src/campaigns/campaign-file.ts';
import { type Network, networks } from '../../src/networks/types.ts';
import { describeIssues, invalidParameter } from './middleware/errors.ts';
import { documentValidator } from './openapi/route-docs.ts';

/** Query-string validation: a bad parameter is a 400 `invalid_parameter` naming it and what it expects. */
export function validQuery<T extends z.ZodType>(schema: T) {
  const validate = validator('query', (value): z.output<T> => {
    // `?limit=1&limit=2` arrives as an array: say so rather than zod's "expected string".
    for (const [name, given] of Object.entries(value)) {
      if (Array.isArray(given)) {
        throw invalidParameter(`${name}: expected a single value, got ${given.length}`);
      }
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw invalidParameter(describeIssues(parsed.error));
    return parsed.data;
  });
  return documentValidator(validate, { query: schema });
}

/** A JSON body validated by zod: a bad field is a 400 `invalid_parameter` naming it. */
export function validJson<T extends z.ZodType>(schema: T) {
  const validate = validator('json', (value): z.output<T> => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw invalidParameter(describeIssues(parsed.error));
    return parsed.data;
  });
  return documentValidator(validate, { body: schema });
}

export const instant = z.iso
  .datetime({
    offset: true,
    error: 'expected an ISO 8601 date-time with offset, e.g. 2016-12-07T00:00:00+01:00',
  })
  .transform((text) => new Date(text));

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of: ${values.join(', ')}` });

/** A window [from, to) that is empty or reversed is a mistake, not an empty answer. */
export function checkWindow(from: Date, to: Date): void {
  if (from >= to) {
    throw invalidParameter(
      `from: expected an instant before to (got from=${from.toISOString()}, to=${to.toISOString()})`,
    );
  }
}

/** An integer query parameter in [min, max]; anything else is named in the 400. */
export const integerIn = (min: number, max: number) => {
  const message = `expected an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .pipe(z.number().min(min, message).max(max, message))
    .describe(`an integer from ${min} to ${max}`);
};

const maxBuckets = { hour: 24 * 93, day: 366 * 5 };

/** Answers with one point per hour or day stay bounded: about three months of hours, five years of days. */
export function checkBuckets(from: Date, to: Date, interval: 'hour' | 'day'): void {
  const buckets = (to.getTime() - from.getTime()) / (interval === 'hour' ? 3600_000 : 86_400_000);
  if (buckets > maxBuckets[interval]) {
    throw invalidParameter(
      `to: expected a window of at most ${maxBuckets[interval]} ${interval}s for interval=${interval}`,
    );
  }
}

/**
 * The account a path names: `:network` and `:handle` checked as the campaign file checks them
 * (src/campaigns/campaign-file.ts), a 400 naming the parameter otherwise.
 */
export function accountParams(network: string, handle: string): { network: Network; handle: string } {
  const on = networks.find((name) => name === network);
  if (!on) throw invalidParameter(`network: expected one of: ${networks.join(', ')}`);
  const checked = handleSchemas[on].safeParse(handle);
  if (!checked.success) throw invalidParameter(`handle: ${checked.error.issues[0]?.message}`);
  return { network: on, handle: checked.data };
}
