import type { Lang } from './i18n.ts';

/**
 * The metric definitions every export states about itself: the workbooks' "About these numbers"
 * sheet (src/export/about.ts) and the PDF report (src/export/pdf-report.ts). One list, in both
 * languages, kept in step with docs/METRICS.md (the reference, with the reasons).
 */

export interface Definition {
  topic: string;
  text: string;
  /** about spreadsheet cells (ids as text, formulas): said in workbooks only */
  spreadsheet?: true;
}

const en: Definition[] = [
  {
    topic: 'campaign posts',
    text: 'Posts on X that one of the campaign searches found; a post found by two searches counts once; a post X reports as deleted stops counting. A post belongs to the window in which it was published.',
  },
  {
    topic: 'posts',
    text: 'The campaign posts an account published: original posts, replies and quotes (not reposts).',
  },
  { topic: 'reposts', text: 'The campaign posts an account reposted (retweets), counted separately.' },
  {
    topic: 'engagement',
    text: 'Likes + reposts + replies + quotes received by its posts, using the latest figures read from X (they keep growing after the event).',
  },
  {
    topic: 'impressions',
    text: 'How many times its posts were seen, where X reports it (missing counts as 0).',
  },
  {
    topic: 'mentions',
    text: 'Campaign posts, replies and quotes by other accounts that name it with @ (case-insensitive, once per post; the "RT @name:" of a repost is not a mention).',
  },
  {
    topic: 'followers',
    text: 'Its followers at the end of the window: the last reading taken at or before that time.',
  },
  {
    topic: 'follower growth',
    text: 'Followers at the end of the window minus followers at its start (the last reading at or before the start, else the first reading after it).',
  },
  {
    topic: 'follower growth %',
    text: 'That growth as a percentage of the followers at the start; none when there is no start reading or it is 0.',
  },
  {
    topic: 'followers per interval',
    text: 'The last reading of each hour or day; an interval without a reading has no row (a gap, never a 0). Change: from the previous row of the account (for its first row, from the start reading).',
  },
  {
    topic: 'ranks',
    text: 'Standard competition ranking (1, 2, 2, 4): equal values share a rank; ties are listed by username. Only accounts with a value are ranked.',
  },
  {
    topic: 'hours and days',
    text: "Those of the campaign's timezone, DST days included (25 or 23 hours). Times are given in UTC and in the campaign's timezone.",
  },
  {
    topic: 'ids',
    text: 'X ids are 19-digit numbers, written as text (a number cell would round them). In CSV files they carry a leading tab for that reason.',
    spreadsheet: true,
  },
  {
    topic: 'formulas',
    text: "No cell is a formula. In CSV files a text that starts with = + - @, a tab or a carriage return is written with a leading apostrophe (') so that no spreadsheet runs it: @OpenData_Forum reads '@OpenData_Forum.",
    spreadsheet: true,
  },
];

const fr: Definition[] = [
  {
    topic: 'publications de la campagne',
    text: 'Les publications sur X trouvées par l’une des recherches de la campagne ; une publication trouvée par deux recherches compte une fois ; une publication qu’X signale comme supprimée ne compte plus. Une publication appartient à la période où elle a été publiée.',
  },
  {
    topic: 'publications',
    text: 'Les publications de la campagne qu’un compte a publiées : publications originales, réponses et citations (pas les reposts).',
  },
  {
    topic: 'reposts',
    text: 'Les publications de la campagne qu’un compte a repostées (retweets), comptées à part.',
  },
  {
    topic: 'engagement',
    text: 'J’aime + reposts + réponses + citations reçus par ses publications, d’après les derniers chiffres lus sur X (ils continuent de croître après l’événement).',
  },
  {
    topic: 'impressions',
    text: 'Combien de fois ses publications ont été vues, là où X le donne (une valeur absente compte 0).',
  },
  {
    topic: 'mentions',
    text: 'Les publications, réponses et citations de la campagne par d’autres comptes qui le nomment avec @ (sans distinction de casse, une fois par publication ; le « RT @nom: » d’un repost n’est pas une mention).',
  },
  {
    topic: 'abonnés',
    text: 'Ses abonnés à la fin de la période : le dernier relevé pris à cet instant ou avant.',
  },
  {
    topic: 'croissance des abonnés',
    text: 'Les abonnés à la fin de la période moins les abonnés à son début (le dernier relevé au début ou avant, sinon le premier relevé après).',
  },
  {
    topic: 'croissance des abonnés %',
    text: 'Cette croissance en pourcentage des abonnés au début ; aucune quand il n’y a pas de relevé de départ ou qu’il vaut 0.',
  },
  {
    topic: 'abonnés par intervalle',
    text: 'Le dernier relevé de chaque heure ou jour ; un intervalle sans relevé n’a pas de ligne (un trou, jamais un 0). Variation : depuis la ligne précédente du compte (pour sa première ligne, depuis le relevé de départ).',
  },
  {
    topic: 'rangs',
    text: 'Classement « standard competition » (1, 2, 2, 4) : des valeurs égales partagent un rang ; les ex æquo sont listés par nom d’utilisateur. Seuls les comptes qui ont une valeur sont classés.',
  },
  {
    topic: 'heures et jours',
    text: 'Ceux du fuseau horaire de la campagne, jours de changement d’heure compris (25 ou 23 heures). Les heures sont données en UTC et dans le fuseau de la campagne.',
  },
  {
    topic: 'identifiants',
    text: 'Les identifiants X sont des nombres à 19 chiffres, écrits comme du texte (une cellule numérique les arrondirait). Dans les fichiers CSV, ils commencent par une tabulation pour cette raison.',
    spreadsheet: true,
  },
  {
    topic: 'formules',
    text: "Aucune cellule n’est une formule. Dans les fichiers CSV, un texte qui commence par = + - @, une tabulation ou un retour chariot est précédé d’une apostrophe (') pour qu’aucun tableur ne l’exécute : @OpenData_Forum se lit '@OpenData_Forum.",
    spreadsheet: true,
  },
];

export const metricDefinitions: Record<Lang, readonly Definition[]> = { en, fr };
