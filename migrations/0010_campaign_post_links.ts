import { type Kysely, sql } from 'kysely';

// A campaign link names its query, and the query its campaign: one composite foreign key says both,
// and also that the query is the campaign's own. It replaces two (campaign, query) keys that
// PostgreSQL checked row by row on every link: one check fewer per post stored (write-path bench).
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'alter table campaign_queries add constraint campaign_queries_campaign_id_id_key unique (campaign_id, id)',
    `alter table campaign_posts
       drop constraint campaign_posts_campaign_id_fkey,
       drop constraint campaign_posts_query_id_fkey,
       add constraint campaign_posts_query_fkey foreign key (campaign_id, query_id)
         references campaign_queries (campaign_id, id) on delete cascade`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    `alter table campaign_posts
       drop constraint campaign_posts_query_fkey,
       add constraint campaign_posts_campaign_id_fkey foreign key (campaign_id)
         references campaigns (id) on delete cascade,
       add constraint campaign_posts_query_id_fkey foreign key (query_id)
         references campaign_queries (id) on delete cascade`,
    'alter table campaign_queries drop constraint campaign_queries_campaign_id_id_key',
  ]) {
    await sql.raw(statement).execute(db);
  }
}
