// The layering of docs/ARCHITECTURE.md ("Rules"), checked by `npm run lint`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'networks-know-no-storage',
      comment: "A network client maps wire to domain; storing is collection's job (src/collect, src/db).",
      severity: 'error',
      from: { path: '^src/networks/' },
      to: { path: ['^src/db/', '^src/collect/', '^node_modules/(kysely|pg|@electric-sql)/'] },
    },
    {
      name: 'collection-knows-no-bullmq-nor-wire-format',
      comment: 'Use-cases run the same from a worker, the CLI and a test; wire formats stay in src/networks.',
      severity: 'error',
      from: { path: '^src/collect/' },
      to: { path: ['^node_modules/bullmq/', '^src/networks/[^/]+/wire', '^src/jobs/', '^workers/'] },
    },
    {
      name: 'ranking-reads-only-the-database',
      severity: 'error',
      from: { path: '^src/rank/' },
      to: {
        path: [
          '^src/networks/[^/]+/(client|wire|fields)',
          '^src/collect/',
          '^node_modules/(bullmq|twitter-api-v2)/',
        ],
      },
    },
    {
      name: 'dashboard-calls-no-network-nor-collection',
      comment: 'Admin actions enqueue jobs (src/jobs/enqueue.ts); the workers do the calling.',
      severity: 'error',
      from: { path: '^dashboard/' },
      to: {
        path: ['^src/networks/', '^src/collect/', '^workers/', '^node_modules/twitter-api-v2/'],
        pathNot: ['^src/networks/types\\.ts$'],
      },
    },
    {
      name: 'src-never-imports-the-outer-layers',
      comment: 'Only the composition root (src/cli.ts, src/commands/) wires workers and the dashboard.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli\\.ts$', '^src/commands/'] },
      to: { path: ['^dashboard/', '^workers/'] },
    },
    {
      name: 'stand-ins-share-nothing-with-clients',
      comment: "A simulator that reused the client's code would agree with it by construction.",
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: ['^src/networks/', '^src/collect/'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
