/**
 * End to end: the real `metrics-adapter serve`, written to with the CMAS test adapter README's own
 * curl commands and read with its own kubectl command, then read by the Python kubernetes client
 * (Debian's python3-kubernetes) and by client-node's CustomObjectsApi through the kubeconfig serve
 * writes. Each client encodes paths its own way (`%2A`, `%2F`); every one must read the same values.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { URL } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { startAdapter, type AdapterProcess } from '../helpers/adapter-process.js';
import { createClient } from '../helpers/https-client.js';
import { findKubectl, kubectlGetRawWithKubeconfig } from '../helpers/kubectl.js';

/** Debian's own interpreter: a pyenv python3 earlier on PATH has no python3-kubernetes. */
const python = '/usr/bin/python3';

interface Item {
  describedObject?: { name: string };
  metricName?: string;
  metric?: { name: string };
  value: string;
}
interface List {
  kind: string;
  items: Item[];
}

function run(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const values = (list: List) =>
  list.items.map((i) => [i.describedObject?.name, i.metric?.name ?? i.metricName, i.value]);

/** Reads every form through the Python client; prints one JSON object of the answers. */
const pythonScript = `
import json, sys
from kubernetes import client, config
config.load_kube_config(config_file=sys.argv[1])
api = client.CustomObjectsApi()
out = {
  'list': api.list_namespaced_custom_object('custom.metrics.k8s.io', 'v1beta2', 'default', 'pods/*/http_requests', label_selector='app=web'),
  'get': api.get_namespaced_custom_object('custom.metrics.k8s.io', 'v1beta1', 'default', 'pods', 'web-1/http_requests'),
  'external': api.list_namespaced_custom_object('external.metrics.k8s.io', 'v1beta1', 'default', 'queue_messages_ready'),
  'clusterList': api.list_cluster_custom_object('custom.metrics.k8s.io', 'v1beta2', 'nodes/*/temperature'),
  'clusterGet': api.get_cluster_custom_object('custom.metrics.k8s.io', 'v1beta2', 'nodes', 'node-1/temperature'),
  'namespace': api.get_namespaced_custom_object('custom.metrics.k8s.io', 'v1beta2', 'team-a', 'metrics', 'queue_length'),
}
print(json.dumps(out))
`;

describe('every client reads the same values', () => {
  let adapter: AdapterProcess;
  let kubectl: string | undefined;

  before(async () => {
    adapter = await startAdapter();
    kubectl = await findKubectl();
    const send = createClient(adapter.url, adapter.caFile);
    for (const [path, body] of [
      ['/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app%3Dweb', '"300m"'],
      ['/write-metrics/namespaces/default/pods/web-2/http_requests?objectLabels=app%3Dweb', '"2"'],
      ['/write-metrics/namespaces/default/pods/db-1/http_requests?objectLabels=app%3Ddb', '7'],
      ['/write-metrics/nodes/node-1/temperature', '"45.5"'],
      ['/write-metrics/namespaces/team-a/metrics/queue_length', '"42"'],
      ['/write-external-metrics/namespaces/default/queue_messages_ready?labels=queue%3Dworker', '"95"'],
    ] as const) {
      const res = await send(path, { method: 'POST', body });
      assert.equal(res.status, 200, `${path}: ${res.body}`);
    }
  });
  after(async () => adapter?.stop());

  test("the CMAS test adapter README's commands, as written", async (t) => {
    // NB: the README's service is plain HTTP; this one is HTTPS, so the scheme is the only change,
    // and curl finds the CA through its environment rather than a flag.
    const env = { SERVICE_URL: new URL(adapter.url).host, CURL_CA_BUNDLE: adapter.caFile };
    for (const command of [
      `curl -X POST \\\n  https://$SERVICE_URL/write-metrics/namespaces/default/pods/my-pod/my_custom_metric \\\n  -d '"42"'`,
      `curl -X POST \\\n  https://$SERVICE_URL/write-metrics/namespaces/default/pods/my-pod/requests_per_second \\\n  -d '"100"'`,
    ]) {
      const out = await run('bash', ['-c', command], env);
      assert.equal(out.code, 0, out.stderr);
      assert.equal((JSON.parse(out.stdout) as { status: string }).status, 'Success', out.stdout);
    }
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const out = await kubectlGetRawWithKubeconfig(
      kubectl,
      adapter.kubeconfig,
      '/apis/custom.metrics.k8s.io/v1beta1/namespaces/default/pods/my-pod/',
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(values(JSON.parse(out.stdout) as List), [
      ['my-pod', 'my_custom_metric', '42'],
      ['my-pod', 'requests_per_second', '100'],
    ]);
  });

  test('kubectl, the Python client and client-node read list, get, external, cluster-scoped and namespace forms alike', async (t) => {
    const expected = {
      list: [
        ['web-1', 'http_requests', '300m'],
        ['web-2', 'http_requests', '2'],
      ],
      get: [['web-1', 'http_requests', '300m']],
      external: [[undefined, 'queue_messages_ready', '95']],
      clusterList: [['node-1', 'temperature', '45500m']],
      clusterGet: [['node-1', 'temperature', '45500m']],
      namespace: [['team-a', 'queue_length', '42']],
    };
    const sorted = (answers: Record<string, List>) =>
      Object.fromEntries(
        Object.entries(answers).map(([k, v]) => [
          k,
          values(v).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        ]),
      );

    const kc = new KubeConfig();
    kc.loadFromFile(adapter.kubeconfig);
    const api = kc.makeApiClient(CustomObjectsApi);
    const custom = 'custom.metrics.k8s.io';
    const node = {
      list: await api.listNamespacedCustomObject({
        group: custom,
        version: 'v1beta2',
        namespace: 'default',
        plural: 'pods/*/http_requests',
        labelSelector: 'app=web',
      }),
      get: await api.getNamespacedCustomObject({
        group: custom,
        version: 'v1beta1',
        namespace: 'default',
        plural: 'pods',
        name: 'web-1/http_requests',
      }),
      external: await api.listNamespacedCustomObject({
        group: 'external.metrics.k8s.io',
        version: 'v1beta1',
        namespace: 'default',
        plural: 'queue_messages_ready',
      }),
      clusterList: await api.listClusterCustomObject({
        group: custom,
        version: 'v1beta2',
        plural: 'nodes/*/temperature',
      }),
      clusterGet: await api.getClusterCustomObject({
        group: custom,
        version: 'v1beta2',
        plural: 'nodes',
        name: 'node-1/temperature',
      }),
      namespace: await api.getNamespacedCustomObject({
        group: custom,
        version: 'v1beta2',
        namespace: 'team-a',
        plural: 'metrics',
        name: 'queue_length',
      }),
    } as Record<string, List>;
    assert.deepEqual(sorted(node), expected, 'client-node');

    if (kubectl !== undefined) {
      const paths = {
        list: `/apis/${custom}/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=app%3Dweb`,
        get: `/apis/${custom}/v1beta1/namespaces/default/pods/web-1/http_requests`,
        external: '/apis/external.metrics.k8s.io/v1beta1/namespaces/default/queue_messages_ready',
        clusterList: `/apis/${custom}/v1beta2/nodes/*/temperature`,
        clusterGet: `/apis/${custom}/v1beta2/nodes/node-1/temperature`,
        namespace: `/apis/${custom}/v1beta2/namespaces/team-a/metrics/queue_length`,
      };
      const answers: Record<string, List> = {};
      for (const [key, path] of Object.entries(paths)) {
        const out = await kubectlGetRawWithKubeconfig(kubectl, adapter.kubeconfig, path);
        assert.equal(out.code, 0, `${path}: ${out.stderr}`);
        answers[key] = JSON.parse(out.stdout) as List;
      }
      assert.deepEqual(sorted(answers), expected, 'kubectl');
    }

    const hasPython = (await run(python, ['-c', 'import kubernetes'])).code === 0;
    if (!hasPython) return t.skip(`${python} has no kubernetes module (Debian python3-kubernetes)`);
    const out = await run(python, ['-c', pythonScript, adapter.kubeconfig]);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(sorted(JSON.parse(out.stdout) as Record<string, List>), expected, 'Python client');
  });
});
