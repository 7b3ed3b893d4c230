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

# Production dependencies only, exactly as locked. tsx is one of them: both processes run the
# TypeScript sources with `node --import tsx`. (The lockfile lists only the Linux builds of the
# optional native packages: the npm 10 that ships with Node 20 installs from it as is; npm >= 11
# would call it out of sync, and `npm install --omit=dev` is the fallback that keeps it unchanged.)
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

# The workflow bundle, built once here with the same @temporalio/worker the runtime ships.
FROM deps AS bundle
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts/build-workflow-bundle.ts ./scripts/
RUN node --import tsx scripts/build-workflow-bundle.ts /app/dist/workflow-bundle.js

FROM deps AS runtime
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
# Both variants: workflow-bundle.encoded-failures.js is the one a worker with PAYLOAD_ENCRYPTION_KEYS runs.
COPY --from=bundle /app/dist/workflow-bundle.js /app/dist/workflow-bundle.encoded-failures.js ./dist/
# Dry-run prompts land here (POSTMORTEM_OUTPUT_DIR); docker-compose.yml mounts a volume on it.
RUN mkdir -p /app/postmortems && chown node:node /app/postmortems
# MALLOC_ARENA_MAX: the worker's native core allocates from many threads, and glibc's default (up to 8
# malloc arenas per core) leaves fragmented memory resident. Two keep its RSS ~50 MB lower (docs/benchmarks.md).
ENV WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    POSTMORTEM_OUTPUT_DIR=/app/postmortems \
    MALLOC_ARENA_MAX=2
# The code stays root-owned and read-only for the process. 1000:1000 is the image's `node` user, by number
# so that a host that cannot read the image's /etc/passwd (Kubernetes runAsNonRoot) can still verify it.
USER 1000:1000
# 3000: bridge (webhooks, /healthz, /readyz, /metrics). 9464: worker metrics when WORKER_METRICS_ADDRESS is set.
EXPOSE 3000 9464
CMD ["node", "--import", "tsx", "src/worker/main.ts"]
