import { describe, expect, test } from 'vitest';
import { milestoneAlert, rankAlert, webhookMessage } from '../../src/alerts/rules.ts';
import { alertsSchema, defaultMilestones } from '../../src/alerts/settings.ts';
import { parseCampaignFile } from '../../src/campaigns/campaign-file.ts';

const onX = { network: 'x' as const, inKey: false };
const en = { campaignName: 'OGP Summit', username: 'OpenData_Forum', language: 'en' as const, where: onX };
const fr = { ...en, language: 'fr' as const };

describe('rank moves', () => {
  test.each([
    [
      'up one',
      4,
      3,
      'rank:posts:up:3',
      '📈 @OpenData_Forum moved up to n°3 by posts on X (was n°4) — OGP Summit',
    ],
    [
      'up several',
      9,
      3,
      'rank:posts:up:3',
      '📈 @OpenData_Forum moved up to n°3 by posts on X (was n°9) — OGP Summit',
    ],
    [
      'down',
      3,
      4,
      'rank:posts:down:4',
      '📉 @OpenData_Forum dropped to n°4 by posts on X (was n°3) — OGP Summit',
    ],
  ])('%s', (_name, previous, current, key, text) => {
    expect(rankAlert(en, 'posts', previous, current)).toEqual({ key, text });
  });

  test('no move, no alert', () => {
    expect(rankAlert(en, 'posts', 3, 3)).toBeNull();
  });

  test('in French, with the metric named in French', () => {
    expect(rankAlert(fr, 'followers', 5, 2)?.text).toBe(
      '📈 @OpenData_Forum passe n°2 par abonnés sur X (n°5 auparavant) — OGP Summit',
    );
    expect(rankAlert(fr, 'posts', 2, 3)?.text).toBe(
      '📉 @OpenData_Forum recule au n°3 par publications sur X (n°2 auparavant) — OGP Summit',
    );
  });
});

describe('on a campaign of several networks', () => {
  const on = (network: 'bluesky' | 'all') => ({ ...en, where: { network, inKey: true } });
  test('each network is named, in the text and in the key', () => {
    expect(rankAlert(on('bluesky'), 'posts', 4, 3)).toEqual({
      key: 'rank:posts:bluesky:up:3',
      text: '📈 @OpenData_Forum moved up to n°3 by posts on Bluesky (was n°4) — OGP Summit',
    });
    expect(rankAlert(on('all'), 'posts', 4, 3)?.key).toBe('rank:posts:all:up:3');
    expect(rankAlert({ ...on('all'), language: 'fr' }, 'posts', 4, 3)?.text).toBe(
      '📈 @OpenData_Forum passe n°3 par publications tous réseaux confondus (n°4 auparavant) — OGP Summit',
    );
    expect(milestoneAlert(on('bluesky'), [500], 499, 501)).toEqual({
      key: 'followers:bluesky:500',
      text: '🎉 @OpenData_Forum passed 500 followers on Bluesky (501 now) — OGP Summit',
    });
  });
});

describe('follower milestones', () => {
  const milestones = [500, 1000, 2000];
  test.each([
    ['passing 500', 498, 503, 'followers:500'],
    ['landing exactly on it', 499, 500, 'followers:500'],
    ['jumping two: the highest only', 480, 1020, 'followers:1000'],
    ['already past', 500, 510, null],
    ['falling back under', 510, 490, null],
    ['below every milestone', 10, 20, null],
    ['beyond the last', 2100, 5000, null],
  ])('%s', (_name, previous, current, key) => {
    expect(milestoneAlert(en, milestones, previous, current)?.key ?? null).toBe(key);
  });

  test('numbers formatted for the language', () => {
    expect(milestoneAlert(en, [1000], 999, 1012)?.text).toBe(
      '🎉 @OpenData_Forum passed 1,000 followers on X (1,012 now) — OGP Summit',
    );
    expect(milestoneAlert(fr, [1000], 999, 1012)?.text).toMatch(
      /^🎉 @OpenData_Forum a dépassé les 1[\u202f\u00a0]000 abonnés sur X \(1[\u202f\u00a0]012 à présent\) — OGP Summit$/,
    );
  });
});

test('the webhook body escapes what Slack reads as markup', () => {
  expect(webhookMessage('R&D <!channel> > all')).toEqual({ text: 'R&amp;D &lt;!channel&gt; &gt; all' });
});

describe('the campaign file `alerts:` key', () => {
  const file = (alerts: string) =>
    parseCampaignFile(
      `slug: ogp16
name: OGP
timezone: Europe/Paris
window: { start: 2016-12-07T00:00:00+01:00, end: 2016-12-10T00:00:00+01:00 }
home: OpenData_Forum
queries: ["#OGP16"]
${alerts}`,
      'ogp16.yaml',
    );

  test('is optional', () => {
    expect(file('').alerts).toBeUndefined();
  });

  test('defaults: English, rank by posts, milestones 500, 1,000, 2,000, 5,000…', () => {
    expect(file('alerts: { webhook: "https://hooks.slack.com/services/T/B/x" }').alerts).toEqual({
      webhook: 'https://hooks.slack.com/services/T/B/x',
      language: 'en',
      rank: ['posts'],
      followers: defaultMilestones,
    });
    expect(defaultMilestones.slice(0, 4)).toEqual([500, 1000, 2000, 5000]);
  });

  test('milestones sorted and deduplicated', () => {
    const alerts = file(
      'alerts: { webhook: "https://chat.example.org/hooks/abc", language: fr, rank: [posts, engagement, posts], followers: [1000, 500, 500] }',
    ).alerts;
    expect(alerts).toMatchObject({ language: 'fr', rank: ['posts', 'engagement'], followers: [500, 1000] });
  });

  test.each([
    ['alerts: { webhook: "ftp://example.org/x" }', 'alerts.webhook: expected the http(s) address'],
    ['alerts: { webhook: "https://x.org/h", rank: [likes] }', 'alerts.rank.0: expected one of: posts'],
    [
      'alerts: { webhook: "https://x.org/h", followers: [0] }',
      'alerts.followers.0: expected follower counts above 0',
    ],
    ['alerts: { webhook: "https://x.org/h", language: de }', 'alerts.language: expected en or fr'],
    ['alerts: { webhook: "https://x.org/h", channel: x }', 'alerts: Unrecognized key'],
  ])('refuses %s', (yaml, message) => {
    expect(() => file(yaml)).toThrow(message);
  });

  test('the schema alone accepts a Mattermost address', () => {
    expect(alertsSchema.parse({ webhook: 'http://127.0.0.1:8065/hooks/xyz' }).webhook).toBe(
      'http://127.0.0.1:8065/hooks/xyz',
    );
  });
});
