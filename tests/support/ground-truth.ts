import type { Scenario } from '../../src/simulator/types.ts';

/**
 * The posts a scenario's searches return at `now`, from the generated posts alone: not reposts (search
 * no longer returns them), written at least 30 s before (search's indexing lag), carrying one of the
 * campaign's hashtags. Recent search reaches 7 days back: callers pick a `now` within a week of the span.
 */
export function campaignPostIds(scenario: Pick<Scenario, 'queries' | 'posts'>, now: Date): Set<string> {
  const tags = scenario.queries.map((query) => query.slice(1).toLowerCase());
  return new Set(
    scenario.posts
      .filter(
        (post) =>
          post.kind !== 'repost' &&
          post.createdAt.getTime() <= now.getTime() - 30_000 &&
          post.hashtags.some((tag) => tags.includes(tag.toLowerCase())),
      )
      .map((post) => post.id),
  );
}
