/**
 * The container image, built and run with podman on a locally made debian:12-slim equivalent
 * (scripts/container-base.sh; no image registry is reachable here). It is started the way a
 * MinIO user starts theirs: MINIO_ROOT_USER/MINIO_ROOT_PASSWORD and a named volume on /data.
 *
 * The image is the Dockerfile's `runtime` target fed a freshly compiled dist/cairn: the default
 * target would download Node and npm and compile inside the build, minutes more for the same
 * final layers. Both targets share the `base` stage that sets user, volume, ports and healthcheck.
 */
import { ListObjectsV2Command, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dir, "../..");
const BASE = "localhost/cairn-test/debian:12-slim";
const run = `${process.pid}-${Date.now().toString(36)}`;
const image = `localhost/cairn-test/cairn:${run}`;
const volume = `cairn-test-data-${run}`;
const creds = { user: "containeruser", password: "container-secret-1" };
/** Building the base on a fresh machine downloads Debian; a busy 2-core machine needs minutes. */
const SETUP_TIMEOUT = 600_000;
const STEP_TIMEOUT = 120_000;

function skipReason(): string | null {
  if (process.platform !== "linux") return "podman images here are Linux-only";
  if (process.getuid?.() !== 0) return "needs root: the base is made with mmdebstrap --mode=root into podman's system store";
  const missing = ["podman", "runc", "mmdebstrap", "aws"].filter((t) => Bun.which(t) === null);
  if (missing.length) return `${missing.join(", ")} not installed (run scripts/setup.sh --test --container)`;
  if (!existsSync(join(root, "node_modules/.bin/bun"))) return "no node_modules/.bin/bun to compile dist/cairn with";
  return null;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string[], env: Record<string, string> = {}): Result {
  const r = Bun.spawnSync(cmd, { cwd: root, env: { ...process.env, ...env } });
  return { code: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function must(cmd: string[], env: Record<string, string> = {}): string {
  const r = sh(cmd, env);
  if (r.code !== 0) throw new Error(`${cmd.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * crun 1.8 (Debian 12's default) refuses hosts that mount cgroup v1 with controllers also on
 * the v2 hierarchy ("hybrid"), as this machine does; runc runs there and everywhere else.
 */
const podman = (...args: string[]) => ["podman", "--runtime", "runc", ...args];

/** Hard limit of this process for a /proc/self/limits row, e.g. "Max open files". */
function hardLimit(row: string): number {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith(row));
  const hard = line?.slice(row.length).trim().split(/\s+/)[1];
  return hard === undefined || hard === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(hard);
}

/**
 * Podman as root asks the runtime for 1048576 open files and processes; without CAP_SYS_RESOURCE
 * (a sandboxed root, as here) setting them fails the start. Ask for what this host allows.
 */
const ulimits = [
  `--ulimit=nofile=${Math.min(hardLimit("Max open files"), 65536)}`,
  `--ulimit=nproc=${Math.min(hardLimit("Max processes"), 4096)}`,
];

interface Started {
  name: string;
  endpoint: string;
}

/**
 * One container on the shared volume, as a MinIO user runs theirs. Podman 4.3 schedules periodic
 * health checks through systemd timers, and no systemd runs here: the schedule is disabled and
 * the tests run the image's HEALTHCHECK command themselves with `podman healthcheck run`.
 */
async function start(tag: string, command: string[] = []): Promise<Started> {
  const name = `cairn-test-${run}-${tag}`;
  must(podman("run", "--detach", "--name", name, "--health-interval=disable", ...ulimits,
    "--publish", "127.0.0.1::9000",
    "--env", `MINIO_ROOT_USER=${creds.user}`, "--env", `MINIO_ROOT_PASSWORD=${creds.password}`,
    "--volume", `${volume}:/data`, image, ...command));
  const port = must(podman("port", name, "9000/tcp")).trim().split(":").pop();
  const endpoint = `http://127.0.0.1:${port}`;
  await waitLive(name, endpoint);
  return { name, endpoint };
}

/** What testcontainers' MinIO module does: poll /minio/health/live until it answers 200. */
async function waitLive(name: string, endpoint: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const res = await fetch(`${endpoint}/minio/health/live`).catch(() => null);
    if (res?.status === 200) return;
    const state = sh(podman("inspect", "--format", "{{.State.Status}}", name)).stdout.trim();
    if (state !== "running") throw new Error(`container ${state}:\n${sh(podman("logs", name)).stderr}`);
    await Bun.sleep(250);
  }
  throw new Error(`${endpoint} never answered live:\n${sh(podman("logs", name)).stderr}`);
}

/** The aws cli's exit code and error text (its stdout is progress output). */
function aws(endpoint: string, args: string[]): { code: number; stderr: string } {
  const r = sh(["aws", "--endpoint-url", endpoint, ...args], {
    AWS_ACCESS_KEY_ID: creds.user,
    AWS_SECRET_ACCESS_KEY: creds.password,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
  });
  return { code: r.code, stderr: r.stderr };
}

/** podman stop sends STOPSIGNAL, then SIGKILL after -t seconds: exit 0 means SIGTERM was handled. */
function stop(name: string): number {
  must(podman("stop", "--time", "60", name));
  return Number(must(podman("inspect", "--format", "{{.State.ExitCode}}", name)).trim());
}

/** The base (cached after the first run), a fresh dist/cairn, and the `runtime` target on them. */
function buildImage(context: string): void {
  const seconds: string[] = [];
  const timed = (label: string, cmd: string[]) => {
    const t0 = performance.now();
    must(cmd);
    seconds.push(`${label} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  timed("base", ["bash", "scripts/container-base.sh", BASE]);
  mkdirSync(join(context, "dist"), { recursive: true });
  timed("compile", ["bash", "scripts/build.sh", join(context, "dist/cairn")]);
  // docker format: OCI image config has no HEALTHCHECK, podman drops it otherwise.
  timed("image", podman("build", "--quiet", "--format", "docker", "--pull=never", "--target", "runtime",
    "--build-arg", `BASE=${BASE}`, "--file", join(root, "Dockerfile"), "--tag", image, context));
  rmSync(context, { recursive: true, force: true });
  console.log(`container image: ${seconds.join(", ")}`);
}

const OK = { code: 0, stderr: "" };
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

const reason = skipReason();
describe.skipIf(reason !== null)(`container image via podman${reason ? ` (skipped: ${reason})` : ""}`, () => {
  const work = mkdtempSync(join(tmpdir(), "cairn-container-"));
  const upload = join(work, "upload.bin");
  const started: string[] = [];
  let first: Started;

  beforeAll(() => {
    buildImage(join(work, "context"));
    // Above aws-cli's 8 MiB multipart threshold, so the upload is a multipart one.
    writeFileSync(upload, crypto.getRandomValues(new Uint8Array(9 << 20)));
  }, SETUP_TIMEOUT);

  afterAll(() => {
    for (const name of started) sh(podman("rm", "--force", "--time", "0", name));
    sh(podman("volume", "rm", "--force", volume));
    sh(podman("rmi", "--force", image));
    rmSync(work, { recursive: true, force: true });
  }, STEP_TIMEOUT);

  test("image metadata: non-root user, /data volume, MinIO's ports, entrypoint and healthcheck", () => {
    const [inspected] = JSON.parse(must(podman("image", "inspect", image)));
    const config = inspected.Config;
    expect(config.User).toBe("cairn");
    expect(Object.keys(config.Volumes)).toEqual(["/data"]);
    expect(Object.keys(config.ExposedPorts).sort()).toEqual(["9000/tcp", "9001/tcp"]);
    expect(config.Entrypoint).toEqual(["cairn"]);
    expect(config.Cmd).toEqual(["server", "/data"]);
    expect(config.StopSignal).toBe("SIGTERM");
    expect(inspected.Healthcheck.Test).toEqual(["CMD", "cairn", "healthcheck"]);
  });

  test("runs as uid 1000 with MINIO_ROOT_* credentials; aws s3 PUT and GET round-trip", async () => {
    first = await start("first");
    started.push(first.name);
    expect(must(podman("exec", first.name, "id", "-u")).trim()).toBe("1000");
    // The server process itself, seen from the host, not just a shell exec'd beside it.
    const pid = must(podman("inspect", "--format", "{{.State.Pid}}", first.name)).trim();
    expect(readFileSync(`/proc/${pid}/status`, "utf8")).toMatch(/^Uid:\s+1000\s+1000\s+1000\s+1000$/m);

    expect(aws(first.endpoint, ["s3", "mb", "s3://container-bucket"])).toEqual(OK);
    expect(aws(first.endpoint, ["s3", "cp", upload, "s3://container-bucket/dir/object.bin"])).toEqual(OK);
    const download = join(work, "download-1.bin");
    expect(aws(first.endpoint, ["s3", "cp", "s3://container-bucket/dir/object.bin", download])).toEqual(OK);
    expect(sha256(download)).toBe(sha256(upload));
  }, STEP_TIMEOUT);

  test("the environment's credentials replace the default minioadmin ones", async () => {
    const client = (accessKeyId: string, secretAccessKey: string) =>
      new S3Client({ endpoint: first.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    const list = new ListObjectsV2Command({ Bucket: "container-bucket" });
    const denied = await client("minioadmin", "minioadmin").send(list).catch((err: unknown) => err);
    expect(denied).toBeInstanceOf(S3ServiceException);
    expect((denied as S3ServiceException).name).toBe("InvalidAccessKeyId");
    const listed = await client(creds.user, creds.password).send(list);
    expect(listed.Contents?.map((o) => o.Key)).toEqual(["dir/object.bin"]);
  }, STEP_TIMEOUT);

  test("podman healthcheck run passes (the image's HEALTHCHECK inside the container)", () => {
    // The whole result, so a failure shows podman's and the probe's own words.
    const r = sh(podman("healthcheck", "run", first.name));
    expect({ ...r, stdout: r.stdout.trim() }).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(must(podman("inspect", "--format", "{{.State.Health.Status}}", first.name)).trim()).toBe("healthy");
  }, STEP_TIMEOUT);

  test("SIGTERM from podman stop: exits 0, not killed", () => {
    expect(stop(first.name)).toBe(0);
    expect(sh(podman("logs", first.name)).stderr).toContain("SIGTERM received");
  }, STEP_TIMEOUT);

  test("a new container on the same volume, given a MinIO compose command, serves the object", async () => {
    // docker-compose files written for the MinIO image say `minio server /data --console-address ":9001"`.
    const second = await start("second", ["minio", "server", "/data", "--console-address", ":9001"]);
    started.push(second.name);
    const download = join(work, "download-2.bin");
    expect(aws(second.endpoint, ["s3", "cp", "s3://container-bucket/dir/object.bin", download])).toEqual(OK);
    expect(sha256(download)).toBe(sha256(upload));
    expect(stop(second.name)).toBe(0);
  }, STEP_TIMEOUT);
});
