/**
 * `metrics-adapter manifests` as a user runs it: one-line mistakes, the chart's objects with a fresh CA, and
 * `kubectl apply --dry-run=client` of kubectl 1.35 accepts them and the example HPAs. NB: kubectl's client-side
 * dry run still maps kinds through discovery, so it runs against the fake kube-apiserver; nothing is created anywhere.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectRoot, runCli } from '../helpers/adapter-process.js';
import { startFakeKubeApiServer, type FakeKubeApiServer } from '../helpers/fake-kube-apiserver.js';
import { findKubectl } from '../helpers/kubectl.js';

/** NB: generous: each run starts the CLI through tsx, slow on a loaded 2-core machine. */
const cliTimeoutMs = 120_000;

function kubectlRun(
  kubectl: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectl,
      args,
      { cwd: projectRoot, timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('metrics-adapter manifests', () => {
  let dir: string;
  let rendered: string;
  let kubectl: string | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'metrics-adapter-manifests-'));
    kubectl = await findKubectl();
    const out = await runCli(
      ['manifests', '--namespace', 'demo', '--image', 'example/metrics-adapter:dev'],
      cliTimeoutMs,
    );
    assert.equal(out.code, 0, out.stderr);
    rendered = join(dir, 'all.yaml');
    await writeFile(rendered, out.stdout);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('mistakes are one line and exit 2', async () => {
    const badNamespace = await runCli(['manifests', '--namespace', 'Demo!'], cliTimeoutMs);
    assert.equal(badNamespace.code, 2);
    assert.match(badNamespace.stderr, /^error: invalid namespace "Demo!": .*\n$/);
    const badBackend = await runCli(['manifests', '--backend', 'nope'], cliTimeoutMs);
    assert.equal(badBackend.code, 2);
    assert.match(badBackend.stderr, /^error: option '--backend <name>' argument 'nope' is invalid/);
    const noUrl = await runCli(['manifests', '--backend', 'prometheus'], cliTimeoutMs);
    assert.equal(noUrl.code, 2);
    assert.equal(
      noUrl.stderr,
      'error: the prometheus back end needs --prometheus-url (or prometheus.url in the config file)\n',
    );
    const memoryReplicas = await runCli(['manifests', '--replicas', '2'], cliTimeoutMs);
    assert.equal(memoryReplicas.code, 2);
    assert.match(memoryReplicas.stderr, /^error: replicas > 1 needs a shared back end: .*\n$/);
    const otherFlag = await runCli(['manifests', '--backend', 'memory', '--redis-url', 'redis://r:6379'], cliTimeoutMs);
    assert.equal(otherFlag.code, 2);
    assert.equal(otherFlag.stderr, 'error: --redis-url is a flag of the redis back end, but the back end is memory\n');
    assert.equal(
      noUrl.stdout + memoryReplicas.stdout + otherFlag.stdout,
      '',
      'nothing is printed for kubectl to apply',
    );
  });

  test('prints one YAML document per object, a fresh CA each run', async () => {
    const { readFile } = await import('node:fs/promises');
    const docs = parseAllDocuments(await readFile(rendered, 'utf8'));
    const objects = (Array.isArray(docs) ? docs : [docs]).map(
      (d) => d.toJS() as { kind: string; spec?: { caBundle?: string } },
    );
    assert.deepEqual(objects.map((o) => o.kind).sort(), [
      'APIService',
      'APIService',
      'APIService',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'CustomResourceDefinition',
      'Deployment',
      'Namespace',
      'PodDisruptionBudget',
      'RoleBinding',
      'RoleBinding',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    const again = await runCli(['manifests'], cliTimeoutMs);
    assert.notEqual(
      objects.find((o) => o.kind === 'APIService')!.spec!.caBundle,
      /caBundle: (\S+)/.exec(again.stdout)?.[1],
    );
  });

  describe('kubectl apply --dry-run=client against a fake kube-apiserver', () => {
    let fake: FakeKubeApiServer;
    before(async () => {
      fake = await startFakeKubeApiServer();
    });
    after(async () => fake?.close());

    test('accepts the rendered manifests and the example HPAs', async (t) => {
      if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
      const out = await kubectlRun(kubectl, [
        '--kubeconfig',
        fake.kubeconfig,
        'apply',
        '--dry-run=client',
        '--validate=false',
        '-o',
        'name',
        '-f',
        rendered,
        '-f',
        'deploy/examples/',
      ]);
      assert.equal(out.code, 0, out.stderr);
      const names = out.stdout.trim().split('\n').sort();
      assert.equal(names.length, 23 + 5);
      for (const name of [
        'apiservice.apiregistration.k8s.io/v1beta2.custom.metrics.k8s.io',
        'deployment.apps/metrics-adapter',
        'customresourcedefinition.apiextensions.k8s.io/metricqueries.metrics-adapter.io',
        'secret/metrics-adapter-tls',
        'rolebinding.rbac.authorization.k8s.io/metrics-adapter-metric-query-leader-election',
        'rolebinding.rbac.authorization.k8s.io/metrics-adapter-auth-reader',
        'horizontalpodautoscaler.autoscaling/web-pods',
      ]) {
        assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
      }
      assert.equal(fake.requests.filter((r) => r.method !== 'GET').length, 0, 'a client dry run writes nothing');
    });
  });
});
