/**
 * The work's answer, or a rejection after `timeoutMs`: probes and admin actions must answer even
 * when PostgreSQL or Redis does not. The late answer of a lost race is dropped, never unhandled.
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what = 'the answer'): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
