import { z } from 'zod';

/**
 * Wire formats of the two billing endpoints, validated whole: unlike a page of posts, a usage
 * report or a count series with one bad field is unusable, so it is refused with one message.
 */

// X's spec says integers; X sends `project_cap` and `project_usage` as strings ("2000000").
const countish = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{1,15}$/, 'expected a count (digits)')
    .transform(Number),
]);

export const usageWire = z.object({
  data: z.object({
    project_cap: countish,
    project_usage: countish,
    /** days left before the monthly count restarts */
    cap_reset_day: z.number().int().nonnegative().optional(),
    project_id: z.string().optional(),
  }),
});

const instant = z.iso.datetime({ offset: true });

export const countsWire = z.object({
  data: z
    .array(
      z
        .object({
          start: instant,
          end: instant,
          // The 2026 spec renames tweet_count to post_count; read both.
          tweet_count: z.number().int().nonnegative().optional(),
          post_count: z.number().int().nonnegative().optional(),
        })
        .refine((bucket) => bucket.tweet_count !== undefined || bucket.post_count !== undefined, {
          message: 'expected tweet_count or post_count',
        }),
    )
    .default([]),
  meta: z
    .object({
      total_tweet_count: z.number().int().nonnegative().optional(),
      next_token: z.string().optional(),
    })
    .optional(),
});
