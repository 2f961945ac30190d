import type { Random } from './random.ts';

/**
 * Fictional identities built from syllables, so that no generated account is a real person or
 * organisation. Handles follow X's rules: 1–15 characters of [A-Za-z0-9_], unique case-insensitively.
 */
export interface Identity {
  username: string;
  name: string;
  kind: 'person' | 'organisation';
}

const SYLLABLES = [
  'ka',
  'li',
  'vor',
  'me',
  'ra',
  'te',
  'sen',
  'lo',
  'mi',
  'na',
  'zu',
  'bri',
  'dan',
  'el',
  'fa',
  'go',
  'har',
  'is',
  'jo',
  'ke',
  'lu',
  'mar',
  'nor',
  'pe',
  'ro',
  'sa',
  'ta',
  'va',
  'wen',
  'yo',
  'zel',
  'an',
  'ber',
  'cor',
  'del',
  'fin',
  'gal',
  'hol',
  'jul',
  'kor',
  'lan',
  'mor',
  'nel',
  'or',
  'pal',
  'ril',
  'sol',
  'tor',
  'vin',
  'ema',
  'ilo',
  'una',
  'tri',
  'qua',
  'ves',
  'dri',
  'pho',
  'ula',
  'xan',
  'bel',
] as const;

const ORG_HANDLE_PATTERNS: ReadonlyArray<(word: string) => string> = [
  (w) => `${w}Data`,
  (w) => `${w}_Gov`,
  (w) => `Open${w}`,
  (w) => `${w}Lab`,
  (w) => `${w}Civic`,
  (w) => `${w}_Transp`,
];

const ORG_NAME_PATTERNS: ReadonlyArray<(word: string) => string> = [
  (w) => `${w} Open Data`,
  (w) => `${w} Civic Lab`,
  (w) => `City of ${w}`,
  (w) => `${w} Transparency Initiative`,
  (w) => `${w} Digital Commons`,
  (w) => `${w} Public Sector Network`,
];

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export class IdentityFactory {
  readonly #random: Random;
  readonly #taken = new Set<string>();

  /** `reserved` handles (the home account, the fixed peers) are never generated again. */
  constructor(random: Random, reserved: readonly string[]) {
    this.#random = random;
    for (const handle of reserved) this.#taken.add(handle.toLowerCase());
  }

  next(organisationShare = 0.12): Identity {
    const identity = this.#random.chance(organisationShare) ? this.#organisation() : this.#person();
    let username = identity.username.slice(0, 15);
    // Collisions get a numeric suffix, as real latecomers to a handle do.
    while (this.#taken.has(username.toLowerCase())) {
      username = `${identity.username.slice(0, 12)}${this.#random.int(1000)}`;
    }
    this.#taken.add(username.toLowerCase());
    return { ...identity, username };
  }

  #word(syllables: number): string {
    let word = '';
    for (let i = 0; i < syllables; i++) word += this.#random.pick(SYLLABLES);
    return capitalise(word);
  }

  #person(): Identity {
    const given = this.#word(2);
    const family = this.#word(this.#random.chance(0.5) ? 2 : 3);
    const handles = [
      `${given}${family}`,
      `${given.toLowerCase()}_${family.toLowerCase()}`,
      `${given}${family.charAt(0)}${10 + this.#random.int(90)}`,
      `${family.toLowerCase()}${given.charAt(0).toLowerCase()}`,
      `${given.charAt(0)}${family}`,
    ];
    const username = this.#random.pick(
      handles.filter((h) => h.length <= 15).concat(`${given}${family.charAt(0)}`),
    );
    return { username, name: `${given} ${family}`, kind: 'person' };
  }

  #organisation(): Identity {
    const word = this.#word(this.#random.chance(0.6) ? 2 : 3);
    const handle = this.#random.pick(ORG_HANDLE_PATTERNS)(word);
    const name = this.#random.pick(ORG_NAME_PATTERNS)(word);
    return {
      username: handle.length <= 15 ? handle : `${word.slice(0, 11)}Data`,
      name,
      kind: 'organisation',
    };
  }
}
