import { codePointLength } from './entities.ts';
import type { Random } from './random.ts';

/**
 * Post texts of the summit: short sentences in English, French or Spanish about open government, with
 * the campaign hashtags in their usual spellings, mentions, and decoys that must NOT match the campaign
 * queries (#OGP16fr, #OGP2016, a bare "OGP16"), so a collector that matches loosely is caught.
 */
export type Lang = 'en' | 'fr' | 'es';

export interface TextSpec {
  lang: Lang;
  kind: 'post' | 'reply' | 'quote';
  /** Campaign hashtags as written (e.g. `#ogp16`); empty for posts that must not match the campaign. */
  campaignTags: readonly string[];
  /** Use a near-miss of the campaign tag (only for posts outside the campaign). */
  decoy: boolean;
  /** Usernames to mention, as they will be written. */
  mentions: readonly string[];
  /** Replies start with the replied-to handle, as X v2 texts do. */
  replyTo?: string;
}

const TOPICS: Record<Lang, readonly string[]> = {
  en: [
    'open data',
    'open contracting',
    'beneficial ownership',
    'civic tech',
    'participatory budgeting',
    'access to information',
    'open parliaments',
    'anti-corruption',
    'fiscal transparency',
    'local open government',
    'digital public services',
    'citizen engagement',
    'data literacy',
    'open algorithms',
    'freedom of information',
  ],
  fr: [
    'les données ouvertes',
    'la commande publique ouverte',
    'la transparence budgétaire',
    'le budget participatif',
    "l'accès à l'information",
    'la participation citoyenne',
    'les communs numériques',
    'le gouvernement ouvert local',
    'la lutte contre la corruption',
    'la civic tech',
  ],
  es: [
    'datos abiertos',
    'gobierno abierto',
    'transparencia fiscal',
    'participación ciudadana',
    'contratación abierta',
    'acceso a la información',
    'parlamento abierto',
  ],
};

const POST_TEMPLATES: Record<Lang, readonly string[]> = {
  en: [
    'Great session on {topic}{event}',
    'Packed room for the workshop on {topic}{event}',
    'Live from Paris: {topic} is the theme of the day{event}',
    'Just heard a brilliant talk about {topic}{event}',
    'Key takeaway: {topic} needs local governments on board{event}',
    'Our team is ready for another day{event}',
    "Who's joining the panel on {topic} this afternoon{event}",
    'Slides from our talk on {topic} are online{event}',
    'Impressive commitments on {topic} announced today{event}',
    'Coffee break conversations about {topic}{event}',
    'Thanks to everyone who came to our side event on {topic}{event}',
    'Mayors and city CIOs discuss {topic}{event}',
  ],
  fr: [
    'Belle session sur {topic}{event}',
    "Salle comble pour l'atelier sur {topic}{event}",
    'En direct de Paris : {topic} au cœur des débats{event}',
    "Retour d'expérience passionnant sur {topic}{event}",
    "Les collectivités locales s'engagent pour {topic}{event}",
    'Nos supports sur {topic} sont en ligne{event}',
    'Pause café et discussions sur {topic}{event}',
    "Merci à toutes et tous pour l'atelier sur {topic}{event}",
  ],
  es: [
    'Gran sesión sobre {topic}{event}',
    'Sala llena para el taller de {topic}{event}',
    'Desde París: {topic} en el centro del debate{event}',
    'Compromisos importantes sobre {topic}{event}',
  ],
};

const REPLY_TEMPLATES: Record<Lang, readonly string[]> = {
  en: [
    'Absolutely agree',
    'Thanks for sharing',
    'Great point on {topic}',
    'See you there',
    'Is there a recording',
    'Count us in',
    'Where can we find the slides',
    'Same experience here with {topic}',
  ],
  fr: [
    "Tout à fait d'accord",
    'Merci pour le partage',
    'À tout à l’heure',
    'Les slides sont disponibles',
    'Même constat chez nous sur {topic}',
  ],
  es: ['Totalmente de acuerdo', 'Gracias por compartir', 'Nos vemos allí'],
};

const QUOTE_TEMPLATES: Record<Lang, readonly string[]> = {
  en: [
    'Worth reading on {topic}',
    'This',
    'Exactly what we discussed this morning',
    'Important thread on {topic}',
  ],
  fr: ['À lire sur {topic}', 'Exactement ce dont on parlait ce matin', 'Fil important sur {topic}'],
  es: ['Muy interesante sobre {topic}', 'Exactamente lo que hablamos esta mañana'],
};

const IN_EVENT: Record<Lang, readonly string[]> = {
  en: [' at {tag}', ' during {tag}', ' {tag}'],
  fr: [' au {tag}', ' pendant le {tag}', ' {tag}'],
  es: [' en {tag}', ' durante {tag}'],
};

const PLAIN_EVENT: Record<Lang, readonly string[]> = {
  en: ['', ' at the summit', ' in Paris', ' today'],
  fr: ['', ' au sommet', ' à Paris', " aujourd'hui"],
  es: ['', ' en la cumbre', ' en París', ' hoy'],
};

/** Near misses: a keyword search for OGP16 finds some of them, a hashtag search for #OGP16 none. */
const DECOY_EVENT: readonly string[] = [' at OGP16', ' #OGP2016', ' #OGP16fr', ' (OGP 16)', ' #OGP_16'];

const EXTRA_TAGS: Record<Lang, readonly string[]> = {
  en: ['#OpenGov', '#OpenData', '#CivicTech', '#Paris', '#Transparency'],
  fr: ['#GouvOuvert', '#DonnéesOuvertes', '#OpenData', '#Paris', '#CivicTech'],
  es: ['#GobiernoAbierto', '#DatosAbiertos', '#OpenGov'],
};

const PUNCTUATION = ['', '.', '!', ' !', '…'] as const;
const LEADS = ['📢 ', '🇫🇷 ', '👉 ', '📊 ', '🎤 ', '✨ '] as const;
const MENTION_INTROS: Record<Lang, readonly string[]> = {
  en: ['with', 'cc', 'thanks', 'via'],
  fr: ['avec', 'cc', 'merci', 'via'],
  es: ['con', 'cc', 'gracias'],
};

/** The campaign hashtags of one post, in the spellings people use (the match is case-insensitive). */
export function pickCampaignTags(random: Random): string[] {
  const r = random.next();
  if (r < 0.58) return ['#OGP16'];
  if (r < 0.68) return ['#ogp16'];
  if (r < 0.7) return ['#Ogp16'];
  if (r < 0.82) return ['#OGPSummit'];
  if (r < 0.85) return ['#OGPsummit'];
  if (r < 0.88) return ['#ogpsummit'];
  return ['#OGP16', '#OGPSummit'];
}

export function composeText(random: Random, spec: TextSpec): string {
  const { lang } = spec;
  const templates =
    spec.kind === 'reply' ? REPLY_TEMPLATES : spec.kind === 'quote' ? QUOTE_TEMPLATES : POST_TEMPLATES;
  const tags = [...spec.campaignTags];
  let event: string;
  if (tags.length > 0 && spec.kind === 'post' && random.chance(0.35)) {
    event = random.pick(IN_EVENT[lang]).replace('{tag}', tags.shift() ?? '');
  } else if (spec.decoy) {
    event = random.pick(DECOY_EVENT);
  } else {
    event = spec.kind === 'post' ? random.pick(PLAIN_EVENT[lang]) : '';
  }
  const sentence = random
    .pick(templates[lang])
    .replace('{topic}', random.pick(TOPICS[lang]))
    .replace('{event}', event);

  const parts: string[] = [];
  if (spec.replyTo !== undefined) parts.push(`@${spec.replyTo}`);
  const lead = spec.kind === 'post' && random.chance(0.08) ? random.pick(LEADS) : '';
  parts.push(`${lead}${sentence}${random.pick(PUNCTUATION)}`);
  if (spec.mentions.length > 0) {
    parts.push(`${random.pick(MENTION_INTROS[lang])} ${spec.mentions.map((m) => `@${m}`).join(' ')}`);
  }
  if (random.chance(0.3)) tags.push(random.pick(EXTRA_TAGS[lang]));
  if (tags.length > 0) parts.push(tags.join(' '));
  return parts.join(' ');
}

/**
 * A repost's text as X shows it: `RT @author: ` then the original, cut at a word boundary with `…`
 * when the whole would pass 140 characters (hashtags past the cut disappear from the repost's entities).
 */
export function repostText(originalAuthor: string, originalText: string): string {
  const full = `RT @${originalAuthor}: ${originalText}`;
  if (codePointLength(full) <= 140) return full;
  const chars = Array.from(full).slice(0, 139);
  const cut = chars.lastIndexOf(' ');
  return `${chars.slice(0, cut > 20 ? cut : 139).join('')}…`;
}
