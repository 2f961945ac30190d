import type { Migration } from 'kysely';
import * as m0001 from './0001_initial.ts';
import * as m0002 from './0002_rank_rollups.ts';
import * as m0003 from './0003_collection_cursors.ts';
import * as m0004 from './0004_alerts.ts';
import * as m0005 from './0005_rank_read_paths.ts';
import * as m0006 from './0006_budget.ts';
import * as m0007 from './0007_collection_faults.ts';
import * as m0008 from './0008_rank_mentions.ts';
import * as m0009 from './0009_collection_run_jobs.ts';
import * as m0010 from './0010_campaign_post_links.ts';
import * as m0012 from './0012_archive_and_provenance.ts';
import * as m0013 from './0013_multi_network.ts';
import * as m0014 from './0014_rank_networks.ts';
import * as m0015 from './0015_unresolved_handles.ts';
import * as m0016 from './0016_avatars.ts';
import * as m0017 from './0017_top_posts_order.ts';
import * as m0018 from './0018_rank_mentions_by_network.ts';
import * as m0019 from './0019_rank_rebuild_in_key_order.ts';

/** Every migration, in order. Landed migrations are history: add a new file, never edit one. */
export const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_rank_rollups': m0002,
  '0003_collection_cursors': m0003,
  '0004_alerts': m0004,
  '0005_rank_read_paths': m0005,
  '0006_budget': m0006,
  '0007_collection_faults': m0007,
  '0008_rank_mentions': m0008,
  '0009_collection_run_jobs': m0009,
  '0010_campaign_post_links': m0010,
  '0012_archive_and_provenance': m0012,
  '0013_multi_network': m0013,
  '0014_rank_networks': m0014,
  '0015_unresolved_handles': m0015,
  '0016_avatars': m0016,
  '0017_top_posts_order': m0017,
  '0018_rank_mentions_by_network': m0018,
  '0019_rank_rebuild_in_key_order': m0019,
};
