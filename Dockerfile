# One image for both processes; docker-compose.yml picks the command (bridge or worker).
# Debian slim, never Alpine: the Temporal worker's native core (@temporalio/core-bridge) is built for glibc.

FROM node:20-bookworm-slim AS base
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# The compiled build (`npm run build`): dist/src, dist/workflows, dist/activities and both workflow
# bundles, made with every dependency (TypeScript and tsx are dev ones; NODE_ENV=production would skip
# them) and the same @temporalio/worker the runtime ships, so the bundles match the worker that runs them.
FROM base AS build
COPY package.json package-lock.json ./
RUN npm ci --include=dev
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts/build-workflow-bundle.ts ./scripts/
RUN npm run build

# Production dependencies only, exactly as locked: the image runs plain node, no TypeScript loader.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM deps AS runtime
COPY --from=build /app/dist ./dist
# `postmortem …` inside the container (bin/postmortem.js runs dist/src/cli/main.js here).
COPY bin ./bin
# Dry-run prompts land here (POSTMORTEM_OUTPUT_DIR); docker-compose.yml mounts a volume on it.
RUN mkdir -p /app/postmortems && chown node:node /app/postmortems
# Worker Versioning (docs/operations.md): every image is its own build of the Worker Deployment,
# <package version>-<git commit>. docker-compose.yml passes GIT_COMMIT; a build without it stops here.
ARG APP_VERSION=0.1.0
ARG GIT_COMMIT
RUN test -n "${GIT_COMMIT}" || { echo "GIT_COMMIT is empty: build with --build-arg GIT_COMMIT=<git rev-parse --short HEAD> (docker-compose.yml passes it)" >&2; exit 1; }
# MALLOC_ARENA_MAX: the worker's native core allocates from many threads, and glibc's default (up to 8
# malloc arenas per core) leaves fragmented memory resident. Two keep its RSS ~50 MB lower (docs/benchmarks.md).
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    POSTMORTEM_OUTPUT_DIR=/app/postmortems \
    WORKER_BUILD_ID=${APP_VERSION}-${GIT_COMMIT} \
    MALLOC_ARENA_MAX=2
# The code stays root-owned and read-only for the process. 1000:1000 is the image's `node` user, by number
# so that a host that cannot read the image's /etc/passwd (Kubernetes runAsNonRoot) can still verify it.
USER 1000:1000
# 3000: bridge (webhooks, /healthz, /readyz, /metrics). 9464: worker metrics when WORKER_METRICS_ADDRESS is set.
EXPOSE 3000 9464
CMD ["node", "dist/src/worker/main.js"]
