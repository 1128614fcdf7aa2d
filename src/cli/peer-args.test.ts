import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPeerInvocation, translatePeerArgs } from './peer-args.js';

// The args of prometheus-adapter's deploy/manifests Deployment and of its Helm chart's (which starts with `/adapter`).
const deploymentArgs = [
  '--cert-dir=/var/run/serving-cert',
  '--config=/etc/adapter/config.yaml',
  '--metrics-relist-interval=1m',
  '--prometheus-url=https://prometheus.monitoring.svc:9090/',
  '--secure-port=6443',
  '--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
];
const chartArgs = [
  '/adapter',
  '--secure-port=6443',
  '--cert-dir=/tmp/cert',
  '--prometheus-url=http://prometheus.default.svc:9090',
  '--metrics-relist-interval=1m',
  '--v=4',
  '--config=/etc/adapter/config.yaml',
  '--logtostderr=true',
];

describe("prometheus-adapter's command line", () => {
  test('is recognised by its leading flag, not by our own commands or help', () => {
    assert.equal(isPeerInvocation([]), false);
    assert.equal(isPeerInvocation(['serve', '--backend', 'memory']), false);
    assert.equal(isPeerInvocation(['--help']), false);
    assert.equal(isPeerInvocation(['--version']), false);
    assert.equal(isPeerInvocation(['/adapter']), false);
    assert.equal(isPeerInvocation(deploymentArgs), true);
    assert.equal(isPeerInvocation(chartArgs), true);
  });

  test("the Deployment's args become serve's, and what has no counterpart is named once", () => {
    const { args, notes } = translatePeerArgs(deploymentArgs, true);
    assert.deepEqual(args, [
      '--backend=prometheus',
      '--cert-dir=/var/run/serving-cert',
      '--config=/etc/adapter/config.yaml',
      '--metrics-relist-interval=1m',
      '--prometheus-url=https://prometheus.monitoring.svc:9090/',
      '--secure-port=6443',
      '--bind-address=0.0.0.0',
    ]);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^--tls-cipher-suites is accepted and ignored: /);
  });

  test("the chart's args: the program path is dropped, klog's flags kept or ignored", () => {
    const { args, notes } = translatePeerArgs(chartArgs, false);
    assert.deepEqual(args, [
      '--backend=prometheus',
      '--secure-port=6443',
      '--cert-dir=/tmp/cert',
      '--prometheus-url=http://prometheus.default.svc:9090',
      '--metrics-relist-interval=1m',
      '--v=4',
      '--config=/etc/adapter/config.yaml',
    ]);
    assert.deepEqual(
      notes.map((n) => n.split(':')[0]),
      ['--logtostderr is accepted and ignored', 'not in a pod'],
    );
  });

  test('renamed flags, space-separated values, booleans, repeated headers and in-cluster auth', () => {
    const { args, notes } = translatePeerArgs(
      [
        '--lister-kubeconfig',
        '/k',
        '--prometheus-header=X-Scope-OrgID=team-a',
        '--prometheus-header',
        'Foo=bar',
        '--authentication-skip-lookup=true',
        '--disable-http2-serving=false',
        '--prometheus-auth-incluster',
        '--v',
        '12',
        '--alsologtostderr',
        '--prometheus-auth-config=/etc/kubeconfig',
        '--bind-address=10.0.0.1',
        '--secure-port',
        '8443',
      ],
      false,
    );
    assert.deepEqual(args, [
      '--backend=prometheus',
      '--kubeconfig=/k',
      '--prometheus-header=X-Scope-OrgID=team-a',
      '--prometheus-header=Foo=bar',
      '--authentication-skip-lookup',
      '--v=10',
      '--bind-address=10.0.0.1',
      '--secure-port=8443',
      '--prometheus-token-file=/var/run/secrets/kubernetes.io/serviceaccount/token',
      '--prometheus-ca-file=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    ]);
    assert.equal(notes.length, 4);
    assert.match(notes.join('\n'), /--lister-kubeconfig is read as --kubeconfig/);
    assert.match(notes.join('\n'), /--alsologtostderr is accepted and ignored/);
    assert.match(notes.join('\n'), /--prometheus-auth-config is accepted and ignored: give Prometheus credentials/);
  });
});
