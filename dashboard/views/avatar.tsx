import type { FC } from 'hono/jsx';
import { avatarSrc, initialsOf } from './present.ts';

/*
 * Rendered by hono/jsx on the server and hono/jsx/dom in the browser (see leaderboard-table.tsx):
 * only type imports from hono/jsx, plain-data props.
 */

export interface AvatarProps {
  accountId: string;
  profileImageUrl: string | null;
  name: string;
  username: string;
  pixels: number;
  class?: string | undefined;
}

/** The account's image from our own origin, or its initials when it has none. */
export const Avatar: FC<AvatarProps> = ({ accountId, profileImageUrl, name, username, pixels, ...rest }) => {
  const src = avatarSrc(accountId, profileImageUrl);
  const classes = (base: string) => (rest.class ? `${base} ${rest.class}` : base);
  return src ? (
    <img class={classes('avatar-image')} src={src} alt="" width={pixels} height={pixels} loading="lazy" />
  ) : (
    <span class={classes('avatar-initials')} aria-hidden="true">
      {initialsOf(name, username)}
    </span>
  );
};
