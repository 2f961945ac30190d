import { render } from 'hono/jsx/dom';
import type { CoverageJson } from '../../api-contract.ts';
import { CoverageStrip } from '../../views/coverage-strip.tsx';
import { readJson } from '../fetch.ts';
import { byId, type PageState } from './page-state.ts';

/** Redraws the coverage strip from `GET …/coverage` with the server's component (views/coverage-strip.tsx). */
export async function drawCoverage(state: PageState): Promise<void> {
  const box = byId('coverage');
  if (!box) return;
  const read = await readJson<CoverageJson>(`${state.data.apiBase}/coverage`);
  if (!read.ok || !Array.isArray(read.body.hours)) return;
  render(
    <CoverageStrip lang={state.data.lang} timeZone={state.data.timezone} hours={read.body.hours} />,
    box,
  );
}
