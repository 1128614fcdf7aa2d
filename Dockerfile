# syntax=docker/dockerfile:1
# The metrics-adapter image: built with the full toolchain, run on distroless Node 24 (LTS) as the "nonroot" user
# (65532), which the Helm chart's podSecurityContext also names. Nothing is written outside /tmp, so the pod runs
# with a read-only root filesystem.
# docker build -t metrics-adapter:0.1.0 .

# Production dependencies only, without install scripts (none of them needs one).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The compiled output (dist/).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
# `metrics-adapter manifests` renders the chart.
COPY charts ./charts
USER 65532:65532
EXPOSE 6443
# NB: distroless runs node as the entrypoint; the Deployment's args (`serve ...`) are the command's arguments.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js"]
CMD ["serve", "--bind-address=0.0.0.0", "--cert-dir=/tmp/certs"]
