# Cairn container image: the compiled single executable on a small Debian base.
#   podman build -t cairn . && podman run -p 9000:9000 -p 9001:9001 -v cairn-data:/data cairn
# Drop-in for the MinIO image: same ports, /data volume, MINIO_ROOT_USER/MINIO_ROOT_PASSWORD,
# MINIO_VOLUMES, MINIO_OPTS, and `command: server /data --console-address :9001` work unchanged.

FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates liberasurecode1 libisal2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN bash scripts/build.sh && ./dist/cairn selftest

FROM debian:12-slim
# The binary carries liberasurecode and ISA-L; nothing else is needed at run time.
RUN useradd --system --uid 1000 --user-group --home-dir /data --shell /usr/sbin/nologin cairn \
 && install -d -o cairn -g cairn -m 0750 /data
COPY --from=build /src/dist/cairn /usr/local/bin/cairn
USER cairn
VOLUME /data
EXPOSE 9000 9001
ENV CAIRN_ADDRESS=":9000"
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["cairn", "healthcheck", "http://127.0.0.1:9000/minio/health/live"]
ENTRYPOINT ["cairn"]
CMD ["server", "/data"]
