import {
  DEFAULT_PROFILE_IMAGE,
  drawDescription,
  drawLang,
  drawUserId,
  type FixedAccount,
  HOME_ACCOUNT,
  PEER_ACCOUNTS,
} from './accounts.ts';
import type { FollowerCurve } from './followers.ts';
import { IdentityFactory } from './names.ts';
import type { Random } from './random.ts';
import { SimUserRecord } from './records.ts';
import { DAY_MS } from './rhythm.ts';
import type { Lang } from './text.ts';

/** An account before it becomes a SimUser: what posts and follower curves need to know of it. */
export interface Profile {
  fixed: FixedAccount | undefined;
  username: string;
  name: string;
  description: string;
  lang: Lang;
  followers: number;
  verified: boolean;
  createdMs: number;
}

/**
 * Gives the sorted campaign counts to accounts: n°1 to the biggest peer, n°2 to a prolific individual,
 * n°3 to the home account, n°4 to the second peer, the two other peers mid-table, everyone else at random.
 * Account 0 is home, 1–4 the peers, 5+ generated.
 */
export function assignCounts(counts: Int32Array, random: Random): Int32Array {
  const n = counts.length;
  const holderOfRank = new Int32Array(n).fill(-1);
  const peerRank3 = 4 + Math.floor((n - 4) * 0.005) + 2;
  const peerRank4 = 4 + Math.floor((n - 4) * 0.02) + 5;
  holderOfRank[0] = 1;
  holderOfRank[1] = 5;
  holderOfRank[2] = 0;
  holderOfRank[3] = 2;
  holderOfRank[peerRank3] = 3;
  holderOfRank[peerRank4] = 4;
  const others: number[] = [];
  for (let user = 6; user < n; user++) others.push(user);
  shuffle(random, others);
  let next = 0;
  const perUser = new Int32Array(n);
  for (let rank = 0; rank < n; rank++) {
    const holder = holderOfRank[rank] === -1 ? (others[next++] ?? -1) : (holderOfRank[rank] ?? -1);
    perUser[holder] = counts[rank] ?? 0;
  }
  return perUser;
}

/** Profiles of every account: 0 is home, 1–4 the peers, the rest generated. */
export function drawProfiles(random: Random, campaignPerUser: Int32Array, spanStartMs: number): Profile[] {
  const identities = new IdentityFactory(
    random,
    [HOME_ACCOUNT, ...PEER_ACCOUNTS].map((a) => a.username),
  );
  const earliest = Date.parse('2008-03-01T00:00:00Z');
  const latest = spanStartMs - 20 * DAY_MS;
  const profiles: Profile[] = [];
  for (let index = 0; index < campaignPerUser.length; index++) {
    const fixed = index === 0 ? HOME_ACCOUNT : PEER_ACCOUNTS[index - 1];
    if (fixed) {
      profiles.push({
        fixed,
        username: fixed.username,
        name: fixed.name,
        description: fixed.description,
        lang: fixed.lang,
        followers: fixed.followers,
        verified: fixed.verified,
        createdMs: Date.parse(fixed.createdAt),
      });
      continue;
    }
    const identity = identities.next();
    const lang = drawLang(random);
    const activity = campaignPerUser[index] ?? 1;
    profiles.push({
      fixed: undefined,
      username: identity.username,
      name: identity.name,
      description: drawDescription(random, identity, lang),
      lang,
      followers: 3 + Math.round(random.logNormal(4.4, 1.4) * (1 + 0.25 * Math.sqrt(activity))),
      verified: random.chance(0.03),
      createdMs: earliest + Math.floor(random.next() * (latest - earliest)),
    });
  }
  return profiles;
}

/** `taken` keeps user ids unique across the scenario. */
export function buildUser(
  random: Random,
  profile: Profile,
  followers: FollowerCurve,
  taken: Set<string>,
): SimUserRecord {
  const fixed = profile.fixed;
  return new SimUserRecord(
    {
      id: drawUserId(random, profile.createdMs, taken),
      username: profile.username,
      name: profile.name,
      description: profile.description,
      profileImageUrl: DEFAULT_PROFILE_IMAGE,
      createdAt: new Date(profile.createdMs - (profile.createdMs % 1000)),
      verified: profile.verified,
      followingCount: fixed?.followingCount ?? Math.round(random.logNormal(5.2, 0.9)),
      listedCount: fixed?.listedCount ?? Math.floor((profile.followers / 60) * random.logNormal(0, 0.5)),
    },
    followers,
    fixed?.earlierPosts ?? Math.round(random.logNormal(7, 1.4)),
  );
}

function shuffle<T>(random: Random, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
}
