# Cairn container image: the compiled single executable on a small Debian base.
#   podman build -t cairn . && podman run -p 9000:9000 -p 9001:9001 -v cairn-data:/data cairn
# Drop-in for the MinIO image: same ports, /data volume, MINIO_ROOT_USER/MINIO_ROOT_PASSWORD,
# MINIO_VOLUMES, and `command: server /data --console-address :9001` (or `minio server /data`) work unchanged.
#
# Stages: `build` compiles dist/cairn; `base` is the runtime OS layer; the last (default) stage
# puts the compiled binary on it. `runtime` is the same image made from a binary already built
# on the host with scripts/build.sh (no Node/npm download, seconds instead of minutes); its build
# context must contain dist/cairn, which .dockerignore hides from the default build:
#   ctx=$(mktemp -d) && mkdir $ctx/dist && cp dist/cairn $ctx/dist/ \
#     && podman build --target runtime -f Dockerfile -t cairn $ctx
# BASE lets a machine with no registry build on a locally made base (scripts/container-base.sh).
ARG BASE=debian:12-slim

FROM ${BASE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates liberasurecode1 libisal2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/build.sh && ./dist/cairn selftest

FROM ${BASE} AS base
# The binary carries liberasurecode and ISA-L; nothing else is needed at run time.
# uid/gid 1000 as in MinIO's examples, so existing volumes chowned for it stay writable.
RUN groupadd --gid 1000 cairn \
 && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /data --shell /usr/sbin/nologin cairn \
 && install -d -o cairn -g cairn -m 0750 /data
USER cairn
# Set here so the server need not re-execute itself to give the runtime these start-up settings
# (see src/cli/reexec.ts): container start-up is what health probes wait on.
ENV MIMALLOC_PURGE_DELAY=1000 UV_THREADPOOL_SIZE=8
VOLUME /data
EXPOSE 9000 9001
# Podman stores HEALTHCHECK only in docker-format images (podman build --format docker).
# The probe starts the whole 113 MB executable, which takes seconds on a busy host: 3 s left no margin.
# With no URL the probe asks the address the server uses (MINIO_ADDRESS / --address in MINIO_OPTS).
HEALTHCHECK --interval=10s --timeout=10s --start-period=10s --retries=3 \
  CMD ["cairn", "healthcheck"]
# SIGTERM is what `docker stop` sends; cairn finishes in-flight requests and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["cairn"]
CMD ["server", "/data"]

FROM base AS runtime
COPY --chmod=0755 dist/cairn /usr/local/bin/cairn

FROM base
COPY --from=build /src/dist/cairn /usr/local/bin/cairn
