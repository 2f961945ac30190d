import type { Identity } from './names.ts';
import type { Random } from './random.ts';
import { snowflakeId } from './snowflake.ts';
import type { Lang } from './text.ts';

/** An account whose profile is written by hand: the home account and the watchlist peers. */
export interface FixedAccount {
  username: string;
  name: string;
  description: string;
  createdAt: string;
  followers: number;
  followingCount: number;
  listedCount: number;
  verified: boolean;
  earlierPosts: number;
  lang: Lang;
}

/** The only real handle of the scenario: the founding case's own account. */
export const HOME_ACCOUNT: FixedAccount = {
  username: 'OpenData_Forum',
  name: 'Local Government Open Data Forum',
  description: 'Local Government Open Data Forum — Paris, 7 December 2016, during the OGP Global Summit.',
  createdAt: '2016-09-12T08:41:27.000Z',
  followers: 194,
  followingCount: 311,
  listedCount: 14,
  verified: false,
  earlierPosts: 412,
  lang: 'fr',
};

/** Fictional peers to compare the home account with (no real organisation behind these names). */
export const PEER_ACCOUNTS: readonly FixedAccount[] = [
  {
    username: 'Veltara_Open',
    name: 'Veltara Open Government Network',
    description: 'A network of reformers for open, accountable government. Live from the summit.',
    createdAt: '2011-05-03T14:12:09.000Z',
    followers: 18_400,
    followingCount: 1_920,
    listedCount: 812,
    verified: true,
    earlierPosts: 9_830,
    lang: 'en',
  },
  {
    username: 'CivoraLab',
    name: 'Civora Civic Lab',
    description: 'Civic tech lab: open data, participation, public algorithms.',
    createdAt: '2013-02-18T09:30:44.000Z',
    followers: 6_900,
    followingCount: 1_105,
    listedCount: 304,
    verified: true,
    earlierPosts: 5_210,
    lang: 'en',
  },
  {
    username: 'Munistra_Data',
    name: 'Munistra Data Office',
    description: 'Bureau des données de la ville de Munistra. Données ouvertes et transparence.',
    createdAt: '2014-06-27T07:55:02.000Z',
    followers: 2_300,
    followingCount: 640,
    listedCount: 97,
    verified: false,
    earlierPosts: 2_480,
    lang: 'fr',
  },
  {
    username: 'Talvenet_Gov',
    name: 'Talvenet Local Government',
    description: 'Official account of Talvenet council. Open by default.',
    createdAt: '2015-01-09T16:03:51.000Z',
    followers: 1_150,
    followingCount: 402,
    listedCount: 41,
    verified: false,
    earlierPosts: 1_130,
    lang: 'en',
  },
];

/** X's default avatar: a URL that really serves an image, so a dashboard showing avatars does not break. */
export const DEFAULT_PROFILE_IMAGE =
  'https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png';

const DESCRIPTIONS: Record<Lang, Record<Identity['kind'], readonly string[]>> = {
  en: {
    person: [
      'Open data enthusiast. Views my own.',
      'Civic technologist. Cities, data, people.',
      'Public servant working on transparency.',
      'Researcher in digital government. Coffee first.',
      'Journalist covering public money.',
      '',
    ],
    organisation: ['Official account of {name}.', '{name}: open data and civic participation.', '{name}.'],
  },
  fr: {
    person: [
      'Passionné·e de données ouvertes.',
      'Agent territorial, transformation numérique.',
      'Chercheuse en action publique.',
      'Journaliste, finances publiques.',
      '',
    ],
    organisation: ['Compte officiel de {name}.', '{name} : données ouvertes et participation.'],
  },
  es: {
    person: ['Datos abiertos y participación.', 'Periodista de datos.', ''],
    organisation: ['Cuenta oficial de {name}.'],
  },
};

export function drawDescription(random: Random, identity: Identity, lang: Lang): string {
  return random.pick(DESCRIPTIONS[lang][identity.kind]).replace('{name}', identity.name);
}

export function drawLang(random: Random): Lang {
  const r = random.next();
  return r < 0.55 ? 'en' : r < 0.9 ? 'fr' : 'es';
}

const SEQUENTIAL_ID_ERA_END = Date.parse('2013-06-01T00:00:00Z');
const SEQUENTIAL_ID_ERA_START = Date.parse('2007-06-01T00:00:00Z');

/**
 * A user id as X would have given it: accounts from before mid-2013 have small sequential ids
 * (8 to 10 digits), later ones snowflakes. `taken` keeps ids unique within the scenario.
 */
export function drawUserId(random: Random, createdMs: number, taken: Set<string>): string {
  for (;;) {
    let id: string;
    if (createdMs < SEQUENTIAL_ID_ERA_END) {
      const progress =
        (createdMs - SEQUENTIAL_ID_ERA_START) / (SEQUENTIAL_ID_ERA_END - SEQUENTIAL_ID_ERA_START);
      id = String(Math.floor(6_000_000 + progress * 1_500_000_000 + random.int(100_000)));
    } else {
      id = snowflakeId(createdMs, random.int(1 << 22)).toString();
    }
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}
