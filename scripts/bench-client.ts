#!/usr/bin/env bun
/**
 * Client bench (not a test): `cairn cp` of one large file (up and down) and `cairn mirror` of many
 * small files, next to `aws s3 cp|sync` and `rclone copyto|copy` on the same data, same server,
 * same run. Each tool writes into its own fresh bucket. Prints a table and JSON.
 *
 *   bun scripts/bench-client.ts [--size-mib 1024] [--files 10000] [--file-bytes 1024] [--drives 1] [--tools cairn,aws,rclone]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ACCESS_KEY, REGION, ROOT, SECRET_KEY, awsCliEnv, bucketName, cleanupTemp, program, pseudoRandom, run, startServer, tempDir, writeRandomFile } from "../test/e2e/harness";

const { values } = parseArgs({
  options: {
    "size-mib": { type: "string", default: "1024" },
    files: { type: "string", default: "10000" },
    "file-bytes": { type: "string", default: "1024" },
    drives: { type: "string", default: "1" },
    tools: { type: "string", default: "cairn,aws,rclone" },
  },
});

type Tool = "cairn" | "aws" | "rclone";
interface Row {
  tool: Tool;
  task: string;
  seconds: number;
  mibPerSec?: number;
}

function toolEnv(tool: Tool, url: string, home: string): Record<string, string> {
  const u = new URL(url);
  if (tool === "cairn") return { CAIRN_CONFIG_DIR: home, CAIRN_HOST_b: `http://${ACCESS_KEY}:${SECRET_KEY}@${u.host}` };
  if (tool === "aws") return awsCliEnv(home);
  writeFileSync(join(home, "rclone.conf"), "");
  return {
    RCLONE_CONFIG: join(home, "rclone.conf"),
    RCLONE_CONFIG_B_TYPE: "s3",
    RCLONE_CONFIG_B_PROVIDER: "Minio",
    RCLONE_CONFIG_B_ACCESS_KEY_ID: ACCESS_KEY,
    RCLONE_CONFIG_B_SECRET_ACCESS_KEY: SECRET_KEY,
    RCLONE_CONFIG_B_ENDPOINT: url,
    RCLONE_CONFIG_B_REGION: REGION,
  };
}

/** The command line for each task; `bucket` is that tool's own fresh bucket. */
function command(tool: Tool, task: "put" | "get" | "mirror", p: { url: string; bucket: string; file: string; dir: string; out: string }): string[] {
  const cairn = [process.execPath, join(ROOT, "src/main.ts")];
  const aws = [program("aws") ?? "aws", "--endpoint-url", p.url];
  const rclone = program("rclone") ?? "rclone";
  const table: Record<Tool, Record<typeof task, string[]>> = {
    cairn: {
      put: [...cairn, "cp", "--quiet", p.file, `b/${p.bucket}/big.bin`],
      get: [...cairn, "cp", "--quiet", `b/${p.bucket}/big.bin`, p.out],
      mirror: [...cairn, "mirror", "--quiet", p.dir, `b/${p.bucket}/small`],
    },
    aws: {
      put: [...aws, "s3", "cp", "--only-show-errors", p.file, `s3://${p.bucket}/big.bin`],
      get: [...aws, "s3", "cp", "--only-show-errors", `s3://${p.bucket}/big.bin`, p.out],
      mirror: [...aws, "s3", "sync", "--only-show-errors", p.dir, `s3://${p.bucket}/small`],
    },
    rclone: {
      put: [rclone, "copyto", p.file, `b:${p.bucket}/big.bin`],
      get: [rclone, "copyto", `b:${p.bucket}/big.bin`, p.out],
      mirror: [rclone, "copy", p.dir, `b:${p.bucket}/small`],
    },
  };
  return table[tool][task];
}

async function timed(cmd: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  await run(cmd, { env, timeoutMs: 1_800_000 });
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const sizeMiB = Number(values["size-mib"]);
  const files = Number(values.files);
  const fileBytes = Number(values["file-bytes"]);
  const tools = values.tools!.split(",") as Tool[];
  const root = tempDir("cairn-bench-client-");
  const file = join(root, "big.bin");
  const dir = join(root, "small");
  process.stderr.write(`preparing ${sizeMiB} MiB file and ${files} files of ${fileBytes} B…\n`);
  await writeRandomFile(file, sizeMiB * 1024 * 1024, 3);
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${String(i % 100).padStart(2, "0")}`);
    if (i < 100) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.dat`), pseudoRandom(fileBytes, i + 1));
  }
  const server = await startServer({ drives: Number(values.drives) });
  const rows: Row[] = [];
  try {
    for (const tool of tools) {
      if (tool !== "cairn" && !program(tool)) {
        process.stderr.write(`skipping ${tool}: not installed\n`);
        continue;
      }
      const home = tempDir(`cairn-bench-${tool}-`);
      const env = toolEnv(tool, server.url, home);
      const bucket = bucketName(`bench-${tool}`);
      await run([process.execPath, join(ROOT, "src/main.ts"), "mb", `b/${bucket}`], { env: toolEnv("cairn", server.url, tempDir()) });
      const p = { url: server.url, bucket, file, dir, out: join(home, "big.back") };
      for (const task of ["put", "get", "mirror"] as const) {
        const seconds = await timed(command(tool, task, p), env);
        const label = task === "mirror" ? `mirror ${files} × ${fileBytes} B` : `cp ${sizeMiB} MiB ${task === "put" ? "up" : "down"}`;
        rows.push({ tool, task: label, seconds, mibPerSec: task === "mirror" ? undefined : sizeMiB / seconds });
        process.stderr.write(`${tool.padEnd(7)} ${label.padEnd(28)} ${seconds.toFixed(1)} s\n`);
      }
    }
  } finally {
    await server.stop();
    cleanupTemp();
  }
  console.log("| tool | task | seconds | MiB/s |\n|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.tool} | ${r.task} | ${r.seconds.toFixed(1)} | ${r.mibPerSec?.toFixed(0) ?? ""} |`);
  console.log(JSON.stringify({ drives: Number(values.drives), rows }));
}

await main();
