import { type Context, Hono } from 'hono';
import { applyCampaign } from '../../../src/campaigns/apply.ts';
import {
  type CampaignFile,
  CampaignFileError,
  campaignFileYaml,
  parseCampaignFile,
} from '../../../src/campaigns/campaign-file.ts';
import { storedCampaignFile } from '../../../src/campaigns/stored-campaign.ts';
import { findCampaign } from '../../../src/db/campaign-repository.ts';
import { type CampaignAppliedJson, campaignAppliedSchema } from '../../api-contract.ts';
import { campaignOr404 } from '../api-responses.ts';
import { requireAdmin } from '../middleware/auth.ts';
import { conflict, invalidParameter } from '../middleware/errors.ts';
import { describeRoute, type RouteDoc } from '../openapi/route-docs.ts';
import { announceChange } from './admin.ts';
import type { DashboardContext } from './context.ts';

/** A campaign file is a few kilobytes; a body past this is not one. */
const maxFileBytes = 256 * 1024;

/**
 * The campaign file over HTTP (mounted under /api/v1, behind ADMIN_TOKEN: a file may hold an alert
 * webhook's secret address). `GET …/campaign.yaml` downloads the campaign as the database holds it;
 * `PUT …/campaign.yaml` with a file's text creates or changes the campaign as `tracker campaign
 * apply` does (`POST /campaigns` creates one, never overwriting another), with the same checks and
 * the same one-line errors naming the field. Download, edit, put back: the file stays the source a
 * team versions.
 */
const campaignFileBody: RouteDoc['requestBody'] = {
  description:
    'a campaign file (YAML or JSON), as `tracker campaign apply` reads it (DESIGN.md "Campaign file")',
  content: { 'application/yaml': { type: 'string' }, 'application/json': { type: 'object' } },
};

const appliedResponses = {
  200: { description: 'applied to the existing campaign', json: campaignAppliedSchema },
  201: { description: 'the file created the campaign', json: campaignAppliedSchema },
};

export function campaignFileRoutes(context: DashboardContext): Hono {
  const { db, clock, adminToken } = context;
  const admin = requireAdmin({ token: adminToken });

  const applied = async (c: Context, file: CampaignFile) => {
    const result = await applyCampaign(db, file, clock.now()).catch((error: unknown) => {
      // What this version does not store yet (src/campaigns/apply.ts) is refused by its field.
      if (error instanceof CampaignFileError) throw invalidParameter(error.message);
      throw error;
    });
    await announceChange(context, result.campaignId);
    return c.json<CampaignAppliedJson>(
      {
        campaign: file.slug,
        created: result.created,
        queriesAdded: result.queriesAdded,
        queriesRetired: result.queriesRetired,
        watchlistAdded: result.watchlistAdded,
        watchlistRemoved: result.watchlistRemoved,
      },
      result.created ? 201 : 200,
    );
  };

  return new Hono()
    .get(
      '/campaigns/:slug/campaign.yaml',
      describeRoute({
        summary: 'Download the campaign as its file',
        description:
          'The file `PUT` takes back: download, edit, put back, and the file stays the source a team versions.',
        responses: {
          200: { description: 'the campaign file', content: { 'application/yaml': { type: 'string' } } },
        },
      }),
      admin,
      async (c) => {
        const campaign = await campaignOr404(db, c.req.param('slug'));
        const yaml = campaignFileYaml(await storedCampaignFile(db, campaign));
        c.header('Content-Type', 'application/yaml; charset=utf-8');
        c.header('Content-Disposition', `attachment; filename="${campaign.slug}.yaml"`);
        c.header('Cache-Control', 'no-store');
        return c.body(yaml);
      },
    )
    .put(
      '/campaigns/:slug/campaign.yaml',
      describeRoute({
        summary: 'Create or change a campaign from its file',
        description:
          'The checks of `tracker campaign apply`; a problem is a 400 naming the line and the field.',
        requestBody: campaignFileBody,
        responses: appliedResponses,
      }),
      admin,
      async (c) => {
        const slug = c.req.param('slug');
        const file = parsed(await c.req.text(), `${slug}.yaml`);
        if (file.slug !== slug) {
          throw invalidParameter(`${slug}.yaml: slug: "${file.slug}" is not the campaign of this address`);
        }
        return applied(c, file);
      },
    )
    .post(
      '/campaigns',
      describeRoute({
        summary: 'Create a campaign from its file',
        requestBody: campaignFileBody,
        responses: { 201: appliedResponses[201] },
        errors: { 409: 'a campaign with this slug exists: change it with PUT …/:slug/campaign.yaml' },
      }),
      admin,
      async (c) => {
        const file = parsed(await c.req.text(), 'campaign.yaml');
        if (await findCampaign(db, file.slug)) {
          throw conflict(
            `slug: campaign "${file.slug}" exists; edit it with PUT …/${file.slug}/campaign.yaml`,
          );
        }
        return applied(c, file);
      },
    );
}

/** The file's text checked as `tracker campaign apply` checks it; a problem is a 400 naming the field. */
function parsed(text: string, source: string): CampaignFile {
  if (Buffer.byteLength(text) > maxFileBytes) {
    throw invalidParameter(`campaign file: ${maxFileBytes / 1024} KiB at most`);
  }
  try {
    return parseCampaignFile(text, source);
  } catch (error) {
    if (error instanceof CampaignFileError) throw invalidParameter(error.message);
    throw error;
  }
}
