# syntax=docker/dockerfile:1
# The metrics-adapter image: built with the full toolchain, run on distroless Node 20 as the
# "nonroot" user (65532), which deploy/manifests/deployment.yaml also names.
# docker build -t metrics-adapter:0.1.0 .

# Production dependencies only, without install scripts (none of them needs one).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# The compiled output (dist/); `npm ci` runs the prepare script, which builds.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY deploy ./deploy
USER 65532:65532
EXPOSE 6443
# NB: distroless runs node as the entrypoint; the Deployment's args (`serve ...`) are the command's arguments.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/cli/main.js"]
CMD ["serve", "--bind-address=0.0.0.0", "--cert-dir=/tmp/certs"]
