/** A read of the JSON API: the body, or why there is none. */
export type Read<T> = { ok: true; body: T } | { ok: false; missing: boolean };

/**
 * GET as JSON. `missing` (400, 404) means the API does not offer this yet (a metric or an endpoint
 * of the ranking API still to come): the page says "not available" rather than "failed".
 */
export async function readJson<T>(url: string): Promise<Read<T>> {
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) return { ok: false, missing: response.status === 400 || response.status === 404 };
    return { ok: true, body: (await response.json()) as T };
  } catch {
    return { ok: false, missing: false };
  }
}

export function setText(element: HTMLElement | null, text: string): void {
  if (element && element.textContent !== text) element.textContent = text;
}
