# One image for both processes (bridge and worker). Debian slim: the Temporal worker's native core needs glibc.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
USER node
EXPOSE 3000
# Overridden per service in docker-compose.yml.
CMD ["node", "--import", "tsx", "src/worker.ts"]
