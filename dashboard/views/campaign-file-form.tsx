import type { FC } from 'hono/jsx';
import { dictionaries, type Lang } from '../../src/present/i18n.ts';

/**
 * A campaign file edited in the browser (admin, driven by dashboard/client/admin.ts): loaded from
 * `GET …/campaign.yaml`, applied with `PUT …/campaign.yaml`, or a new campaign with
 * `POST /api/v1/campaigns`. The server checks it as `tracker campaign apply` does and its one-line
 * answer, naming the field, shows in the admin status line.
 */
export const CampaignFileForm: FC<{ lang: Lang; slug?: string }> = ({ lang, slug }) => {
  const t = dictionaries[lang];
  const url = slug ? `/api/v1/campaigns/${encodeURIComponent(slug)}/campaign.yaml` : '/api/v1/campaigns';
  const id = `campaign-file-${slug ?? 'new'}`;
  return (
    <details class="campaign-file">
      <summary>{slug ? t.campaignFile.title : t.campaignFile.newCampaign}</summary>
      <form data-file-url={url} data-file-method={slug ? 'PUT' : 'POST'}>
        <p class="muted">{t.campaignFile.hint}</p>
        <label for={id}>{t.campaignFile.text}</label>
        <textarea id={id} name="file" rows={16} cols={80} spellcheck={false} required />
        <p>
          {slug && (
            <button type="button" data-load={url} data-target={id}>
              {t.campaignFile.load}
            </button>
          )}{' '}
          <button type="submit">{t.campaignFile.apply}</button>
        </p>
      </form>
    </details>
  );
};
