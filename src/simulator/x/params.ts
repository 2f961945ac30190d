import { type InvalidParameter, InvalidRequestError } from './problems.ts';

const ID_PATTERN = /^[0-9]{1,19}$/;
/** RFC 3339 as X accepts it: seconds and fraction optional, an explicit offset required. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface TimeParam {
  raw: string;
  ms: number;
}

/**
 * Reads and validates query parameters the way X does: every problem is collected, then `finish()`
 * throws one 400 listing them all, worded like X's messages.
 */
export class ParamReader {
  readonly #params: URLSearchParams;
  readonly #errors: InvalidParameter[] = [];

  /** `allowed` in X's order: the 400 for an unknown parameter lists them. */
  constructor(url: string, allowed: readonly string[]) {
    this.#params = new URL(url).searchParams;
    for (const name of new Set(this.#params.keys())) {
      if (!allowed.includes(name)) {
        this.fail(
          name,
          this.#params.getAll(name),
          `The query parameter [${name}] is not one of [${allowed.join(',')}]`,
        );
      }
    }
  }

  fail(parameter: string, values: string[], message: string): void {
    this.#errors.push({ parameters: { [parameter]: values }, message });
  }

  finish(): void {
    if (this.#errors.length > 0) throw new InvalidRequestError(this.#errors);
  }

  string(name: string): string | undefined {
    const value = this.#params.get(name);
    return value === null || value === '' ? undefined : value;
  }

  required(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) this.fail(name, [], `The \`${name}\` query parameter can not be empty`);
    return value;
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.fail(
        name,
        [raw],
        `The \`${name}\` query parameter value [${raw}] is not between ${min} and ${max}`,
      );
      return fallback;
    }
    return value;
  }

  id(name: string): bigint | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    if (!ID_PATTERN.test(raw)) {
      this.fail(
        name,
        [raw],
        `The \`${name}\` query parameter value [${raw}] does not match ${ID_PATTERN.source}`,
      );
      return undefined;
    }
    return BigInt(raw);
  }

  time(name: string): TimeParam | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const ms = RFC3339.test(raw) ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(ms)) {
      this.fail(name, [raw], `Invalid '${name}':'${raw}'. '${name}' must be a valid RFC 3339 date-time.`);
      return undefined;
    }
    return { raw, ms };
  }

  /** A comma-separated list; each value must be one of `allowed` when given. */
  list(name: string, allowed?: readonly string[]): string[] {
    const values = this.#params
      .getAll(name)
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (allowed) {
      for (const value of values) {
        if (!allowed.includes(value)) {
          this.fail(
            name,
            [value],
            `The \`${name}\` query parameter value [${value}] is not one of [${allowed.join(',')}]`,
          );
        }
      }
    }
    return [...new Set(values)];
  }

  /** `ids`, `usernames`: 1 to `max` values, each matching `pattern`. */
  boundedList(name: string, pattern: RegExp, max: number): string[] {
    const values = this.list(name);
    if (values.length === 0) {
      this.fail(name, [], `The \`${name}\` query parameter can not be empty`);
    } else if (values.length > max) {
      this.fail(
        name,
        [values.join(',')],
        `The number of values in the \`${name}\` query parameter list [${values.length}] is not between 1 and ${max}`,
      );
    }
    for (const value of values) {
      if (!pattern.test(value)) {
        this.fail(
          name,
          [value],
          `The \`${name}\` query parameter value [${value}] does not match ${pattern.source}`,
        );
      }
    }
    return values;
  }
}

/** A path parameter checked like a query parameter (X words it the same way). */
export function checkPathParam(name: string, value: string, pattern: RegExp): void {
  if (!pattern.test(value)) {
    throw new InvalidRequestError([
      {
        parameters: { [name]: [value] },
        message: `The \`${name}\` query parameter value [${value}] does not match ${pattern.source}`,
      },
    ]);
  }
}

export const USER_ID_PATTERN = ID_PATTERN;
export const POST_ID_PATTERN = ID_PATTERN;
export const USERNAME_PATTERN = /^[A-Za-z0-9_]{1,15}$/;
