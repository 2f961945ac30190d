import type { FC } from 'hono/jsx';
import { hourReason, stripRuns, stripState, stripStates } from '../../src/present/coverage-strip.ts';
import { formatTick } from '../../src/present/format.ts';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';
import type { CoverageJson } from '../api-contract.ts';

const hourMs = 3_600_000;

/**
 * The window's hours coloured by how complete collection was (src/present/coverage-strip.ts), each
 * hour's reason on hover; the strip is one image to a screen reader, described by the summary and
 * by the list of the stretches that were not complete (the text alternative, also for keyboards).
 * Rendered by the server on the live page and redrawn by hono/jsx/dom from `GET …/coverage`.
 */
export const CoverageStrip: FC<{ lang: Lang; timeZone: string; hours: CoverageJson['hours'] }> = ({
  lang,
  timeZone,
  hours,
}) => {
  const t = dictionaries[lang];
  if (hours.length === 0) return <p class="muted">{t.coverage.noHours}</p>;
  const tick = (at: string | number) => formatTick(lang, timeZone, new Date(at));
  const complete = hours.filter((hour) => stripState(hour) === 'complete').length;
  const summary = t.coverage.summary(complete, hours.length);
  const gaps = stripRuns(t, hours).filter((run) => run.state !== 'complete');
  return (
    <>
      <p class="coverage-summary">{summary}</p>
      <div class="coverage-strip" role="img" aria-label={`${t.coverage.stripLabel}: ${summary}`}>
        {hours.map((hour) => (
          <span
            class="coverage-hour"
            data-state={stripState(hour)}
            title={`${tick(hour.at)}: ${hourReason(t, hour)}`}
          />
        ))}
      </div>
      <ul class="coverage-legend">
        {stripStates.map((state) => (
          <li>
            <span class="coverage-hour" data-state={state} /> {t.coverage.states[state]}
          </li>
        ))}
      </ul>
      {gaps.length > 0 && (
        <ul class="coverage-gaps">
          {gaps.map((run) => (
            <li data-state={run.state}>
              {`${tick(run.first.at)} → ${tick(Date.parse(run.last.at) + hourMs)}: ${run.reason}`}
            </li>
          ))}
        </ul>
      )}
    </>
  );
};
