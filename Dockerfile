# syntax=docker/dockerfile:1
# campaign-tracker: build the package in one stage, run it from another holding only dist/, the
# production dependencies and sql/ (which migrations read). See README, "Deployment".

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied; the build runs below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY scripts scripts
COPY src src
COPY workers workers
COPY dashboard dashboard
COPY migrations migrations
COPY campaigns campaigns
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist dist
COPY bin/tracker.js bin/tracker.js
COPY sql sql
USER node
EXPOSE 3000
# Liveness of `tracker dashboard` and `tracker start` (compose.yaml turns it off for workers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/tracker.js"]
CMD ["start"]
