# syntax=docker/dockerfile:1.7
# Build stage: full dependencies, compile TypeScript.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ormconfig.ts ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/switchboard \
    SCARF_ANALYTICS=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl espeak-ng \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system switchboard && useradd --system --gid switchboard --home /app switchboard \
 && mkdir -p /var/lib/switchboard && chown switchboard:switchboard /var/lib/switchboard
WORKDIR /app
COPY --from=build --chown=switchboard:switchboard /app/package.json ./package.json
COPY --from=build --chown=switchboard:switchboard /app/node_modules ./node_modules
COPY --from=build --chown=switchboard:switchboard /app/dist ./dist
USER switchboard
EXPOSE 3000
VOLUME ["/var/lib/switchboard"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${PORT}/health/live" || exit 1
STOPSIGNAL SIGTERM
# A 32 MiB young generation (Node's default: 16) lets a busy call's short-lived objects die young instead of
# being promoted and collected by full mark-compacts, whose pauses delay audio frames; and the old generation may
# grow to twice what the last full collection kept before the next one, where V8's own heuristic often allowed
# only a few percent more under steady call load (full collections every second or two); and no "memory reducer"
# collections, the full ones V8 starts when the allocation rate drops, which came as traffic resumed after a quiet
# spell and delayed turns by 20-30 ms (the heap keeps its size through the quiet). docs/performance.md.
CMD ["node", "--max-semi-space-size=32", "--heap-growing-percent=100", "--no-memory-reducer", "dist/src/main.js"]
