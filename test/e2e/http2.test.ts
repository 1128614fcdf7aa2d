/**
 * HTTP/2 on the TLS port: ALPN picks h2 or http/1.1 per client, both get the same bytes, kubectl
 * and curl speak h2 to it, front-proxy certificates work over h2, --disable-http2-serving turns it
 * off, and shutdown sends open sessions a GOAWAY that lets their streams finish in time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import type { Http2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { Adapter } from '../../src/adapter.js';
import type { DelegatedAuth } from '../../src/auth/index.js';
import { closeGracefully } from '../../src/server/index.js';
import { createAuthPki, type AuthPki } from '../helpers/auth-pki.js';
import { startFakeAuthApi, type FakeAuthApi } from '../helpers/fake-auth-api.js';
import { createClient } from '../helpers/https-client.js';
import { closeSession, connectHttp2, http2Request } from '../helpers/http2-client.js';
import { findKubectl, kubectlGetRaw } from '../helpers/kubectl.js';
import { createTestAuth } from '../helpers/guarded-adapter.js';
import { createMemoryAdapter } from '../helpers/memory-adapter.js';

const metricPath = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/http_requests';
const missingPath = '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/web-1/no_such_metric';

async function tlsAdapter(
  pki: AuthPki,
  tls: { disableHttp2?: boolean; requestClientCertificates?: boolean } = {},
  extra: Parameters<typeof createMemoryAdapter>[1] = {},
) {
  const adapter = await createMemoryAdapter(
    {},
    { tls: { key: pki.serving.keyPem, cert: pki.serving.certPem, ...tls }, ...extra },
  );
  if (extra.guard === undefined) {
    const written = await adapter.post(
      '/write-metrics/namespaces/default/pods/web-1/http_requests?objectLabels=app%3Dweb',
      '"300m"',
    );
    assert.equal(written.statusCode, 200, written.body);
  }
  const address = await adapter.listen({ port: 0, host: '127.0.0.1' });
  const sessions: Http2Session[] = [];
  adapter.server.server.on('session', (session: Http2Session) => sessions.push(session));
  return { adapter, url: `https://127.0.0.1:${address.port}`, sessions };
}

function negotiated(url: string, ca: string, protocols: string[]): Promise<string | false> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host: '127.0.0.1', port: Number(port), ca, servername: 'localhost', ALPNProtocols: protocols },
      () => {
        resolve(socket.alpnProtocol ?? false);
        socket.destroy();
      },
    );
    socket.once('error', reject);
  });
}

describe('HTTP/2 and HTTP/1.1 on the TLS port', () => {
  let pki: AuthPki;
  let ca: string;
  before(async () => {
    pki = await createAuthPki();
    ca = await readFile(pki.servingCaFile, 'utf8');
  });
  after(async () => {
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  test('ALPN picks h2 for an h2 client and http/1.1 for an HTTP/1.1 client; --disable-http2-serving offers http/1.1 only', async () => {
    const on = await tlsAdapter(pki);
    const off = await tlsAdapter(pki, { disableHttp2: true });
    try {
      assert.equal(await negotiated(on.url, ca, ['h2', 'http/1.1']), 'h2');
      assert.equal(await negotiated(on.url, ca, ['http/1.1']), 'http/1.1');
      assert.equal(await negotiated(off.url, ca, ['h2', 'http/1.1']), 'http/1.1');
      await assert.rejects(
        connectHttp2(off.url, ca).then(closeSession),
        'an h2-only client cannot talk to an HTTP/1.1-only server',
      );
      assert.equal((await createClient(off.url, pki.servingCaFile)(metricPath)).status, 200);
    } finally {
      await on.adapter.close();
      await off.adapter.close();
    }
  });

  test('an h2 client gets byte-identical metric and Status bodies to an HTTP/1.1 client', async () => {
    const { adapter, url, sessions } = await tlsAdapter(pki);
    try {
      const send = createClient(url, pki.servingCaFile);
      const session = await connectHttp2(url, ca);
      assert.equal(session.alpnProtocol, 'h2');
      for (const [path, status] of [
        [metricPath, 200],
        [missingPath, 404],
        ['/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/http_requests?labelSelector=%3D%3D', 400],
      ] as const) {
        const h1 = await send(path);
        const h2 = await http2Request(session, path);
        assert.equal(h1.status, status, h1.body);
        assert.equal(h2.status, status, h2.body);
        assert.equal(h2.body, h1.body, path);
        assert.equal(h2.headers['content-type'], 'application/json');
        assert.equal(h2.headers['content-length'], h1.headers['content-length']);
        if (status !== 200) assert.equal(JSON.parse(h2.body).kind, 'Status');
      }
      assert.equal(JSON.parse((await http2Request(session, metricPath)).body).items[0].value, '300m');
      // Writes over h2 too, and many streams of one session at once.
      const write = await http2Request(session, '/write-metrics/namespaces/default/pods/web-2/http_requests', {
        method: 'POST',
        body: '"7"',
      });
      assert.equal(write.status, 200, write.body);
      const many = await Promise.all(Array.from({ length: 50 }, () => http2Request(session, metricPath)));
      assert.deepEqual(new Set(many.map((r) => r.status)), new Set([200]));
      assert.equal(sessions.length, 1, 'all streams shared one session');
      assert.equal(session.remoteSettings.maxConcurrentStreams, 100, 'the apiserver default stream limit');
      await closeSession(session);
    } finally {
      await adapter.close();
    }
  });

  test('an oversized write over h2 gets a 413 Status on its stream, and the session stays usable', async () => {
    const { adapter, url } = await tlsAdapter(pki);
    try {
      const session = await connectHttp2(url, ca);
      const big = `"${'1'.repeat(70_000)}"`;
      const answer = await http2Request(session, '/write-metrics/namespaces/default/pods/web-3/http_requests', {
        method: 'POST',
        body: big,
      });
      assert.equal(answer.status, 413, answer.body);
      assert.equal(answer.headers['content-type'], 'application/json');
      const status = JSON.parse(answer.body);
      assert.equal(status.kind, 'Status');
      assert.equal(status.code, 413);
      assert.equal((await http2Request(session, metricPath)).status, 200);
      await closeSession(session);
    } finally {
      await adapter.close();
    }
  });

  test('h2 header limits: 300 repeated headers fit (Node alone allows 128), a list over --max-request-header-bytes is refused', async () => {
    const { adapter, url } = await tlsAdapter(pki);
    try {
      const many = await connectHttp2(url, ca);
      const groups = Array.from({ length: 300 }, (_, i) => `group-${i}`);
      assert.equal((await http2Request(many, metricPath, { headers: { 'x-remote-group': groups } })).status, 200);
      await closeSession(many);
      const big = await connectHttp2(url, ca);
      try {
        await assert.rejects(http2Request(big, metricPath, { headers: { 'x-big': 'a'.repeat(70_000) } }), {
          code: 'ERR_HTTP2_STREAM_ERROR',
        });
      } finally {
        big.destroy();
      }
    } finally {
      await adapter.close();
    }
  });

  test('curl --http2 reads a metric over h2', async (t) => {
    const { adapter, url } = await tlsAdapter(pki);
    try {
      const version = await new Promise<string>((resolve) =>
        execFile('curl', ['-V'], (error, stdout) => resolve(error ? '' : stdout)),
      );
      if (!/^Features:.*\bHTTP2\b/m.test(version)) return t.skip('curl with HTTP/2 support not available');
      const out = await new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          'curl',
          ['-sS', '--http2', '--cacert', pki.servingCaFile, '-w', '\\n%{http_version}', `${url}${metricPath}`],
          (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        ),
      );
      assert.equal(out.code, 0, out.stdout);
      const lines = out.stdout.trimEnd().split('\n');
      assert.equal(lines.at(-1), '2', 'curl spoke HTTP/2');
      // NB: curl's User-Agent makes the answer pretty-printed, as the apiserver does.
      assert.equal(JSON.parse(lines.slice(0, -1).join('\n')).items[0].value, '300m');
    } finally {
      await adapter.close();
    }
  });

  test('kubectl 1.35 reads a metric, and speaks h2 to do it', async (t) => {
    const kubectl = await findKubectl();
    if (kubectl === undefined) return t.skip('kubectl 1.35 not available');
    const { adapter, url, sessions } = await tlsAdapter(pki);
    try {
      const out = await kubectlGetRaw(kubectl, { server: url, caFile: pki.servingCaFile, path: metricPath });
      assert.equal(out.code, 0, out.stderr);
      assert.equal(JSON.parse(out.stdout).items[0].value, '300m');
      assert.ok(sessions.length >= 1, 'kubectl opened an h2 session');
      const missing = await kubectlGetRaw(kubectl, { server: url, caFile: pki.servingCaFile, path: missingPath });
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /NotFound|not found/i);
    } finally {
      await adapter.close();
    }
  });

  test('graceful shutdown: an idle h2 session does not hold the server, a stream in flight finishes after the GOAWAY', async () => {
    const { adapter, url } = await tlsAdapter(pki);
    const idle = await connectHttp2(url, ca);
    const busy = await connectHttp2(url, ca);
    const goaway = new Promise<void>((resolve) => busy.once('goaway', () => resolve()));
    const idleClosed = new Promise<void>((resolve) => idle.once('close', () => resolve()));
    // A write whose body is held back: in flight until we send it.
    const stream = busy.request(
      {
        ':method': 'POST',
        ':path': '/write-metrics/namespaces/default/pods/web-3/http_requests',
        'content-type': 'application/json',
      },
      { endStream: false },
    );
    let answer = '';
    const answered = new Promise<number>((resolve, reject) => {
      let status = 0;
      stream.setEncoding('utf8');
      stream.once('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: string) => (answer += chunk));
      stream.once('end', () => resolve(status));
      stream.once('error', reject);
    });
    stream.write('"4');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = closeGracefully(adapter.server, 10_000);
    await goaway;
    await idleClosed;
    stream.end('2"');
    assert.equal(await answered, 200, answer);
    assert.equal(await closing, true, 'closed within the grace period');
    assert.ok(busy.closed || busy.destroyed);
  });

  test('graceful shutdown: a metrics read in flight on h2 still gets its answer after the GOAWAY', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => undefined;
    const inGuard = new Promise<void>((resolve) => (arrived = resolve));
    const guard = {
      async check(request: { headers: Record<string, unknown> }) {
        if (request.headers['x-hold'] === undefined) return;
        arrived();
        await held;
      },
    };
    const { adapter, url } = await tlsAdapter(pki, {}, { guard });
    assert.equal(
      (await adapter.post('/write-metrics/namespaces/default/pods/web-1/http_requests', '"300m"')).statusCode,
      200,
    );
    const session = await connectHttp2(url, ca);
    const answer = http2Request(session, metricPath, { headers: { 'x-hold': '1' } });
    await inGuard;
    const closing = closeGracefully(adapter.server, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    const { status, body } = await answer;
    assert.equal(status, 200, body);
    assert.match(body, /"value":"300m"/);
    assert.equal(await closing, true, 'closed within the grace period');
  });

  test('graceful shutdown: a stream that outlasts the grace period is cut and close still ends', async () => {
    const { adapter, url } = await tlsAdapter(pki);
    const session = await connectHttp2(url, ca);
    const sessionClosed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const stream = session.request(
      {
        ':method': 'POST',
        ':path': '/write-metrics/namespaces/default/pods/web-4/http_requests',
        'content-type': 'application/json',
      },
      { endStream: false },
    );
    const outcome = new Promise<string>((resolve) => {
      stream.once('response', () => resolve('answered'));
      stream.once('error', () => resolve('cut'));
      stream.once('close', () => resolve('cut'));
    });
    stream.write('"4');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await closeGracefully(adapter.server, 500), false);
    assert.equal(await outcome, 'cut');
    await sessionClosed;
  });

  describe('front-proxy authentication over h2', () => {
    let api: FakeAuthApi;
    let auth: DelegatedAuth;
    let adapter: Adapter;
    let url: string;
    before(async () => {
      api = await startFakeAuthApi();
      const kubeconfig = await api.writeKubeconfig(pki.dir);
      auth = await createTestAuth(pki, kubeconfig);
      ({ adapter, url } = await tlsAdapter(
        pki,
        { requestClientCertificates: true },
        { guard: auth.guard, readiness: () => auth.readiness() },
      ));
      const session = await connectHttp2(url, ca, { certificate: pki.proxy });
      const written = await http2Request(session, '/write-metrics/namespaces/default/pods/web-1/http_requests', {
        method: 'POST',
        body: '"300m"',
        headers: { 'x-remote-user': 'writer' },
      });
      assert.equal(written.status, 200, written.body);
      await closeSession(session);
    });
    after(async () => {
      auth?.close();
      await adapter?.close();
      await api?.close();
    });

    test('the verified proxy certificate on the h2 session makes X-Remote-User the user, repeated X-Remote-Group headers kept apart', async () => {
      const session = await connectHttp2(url, ca, { certificate: pki.proxy });
      try {
        api.reset();
        for (let i = 0; i < 3; i++) {
          const res = await http2Request(session, metricPath, {
            headers: { 'x-remote-user': 'jane', 'x-remote-group': ['g1', 'g2'] },
          });
          assert.equal(res.status, 200, res.body);
        }
        assert.deepEqual(
          api.reviews.map((r) => [r.user, r.groups]),
          [['jane', ['g1', 'g2', 'system:authenticated']]],
          'one review, cached',
        );
      } finally {
        await closeSession(session);
      }
    });

    test('the same headers without a certificate, or with a foreign one, never become the user', async () => {
      const anonymous = await connectHttp2(url, ca);
      const stranger = await connectHttp2(url, ca, { certificate: pki.stranger });
      try {
        const forged = await http2Request(anonymous, metricPath, {
          headers: { 'x-remote-user': 'admin', 'x-remote-group': 'system:masters' },
        });
        assert.equal(forged.status, 403, forged.body);
        assert.match(JSON.parse(forged.body).message, /User "system:anonymous" cannot get/);
        const foreign = await http2Request(stranger, metricPath, { headers: { 'x-remote-user': 'admin' } });
        assert.equal(foreign.status, 401, foreign.body);
        assert.equal(JSON.parse(foreign.body).reason, 'Unauthorized');
      } finally {
        await closeSession(anonymous);
        await closeSession(stranger);
      }
    });

    test('a client-CA user authenticates over h2 (CN the name, O the groups)', async () => {
      const session = await connectHttp2(url, ca, { certificate: pki.alice });
      try {
        api.reset();
        const res = await http2Request(session, metricPath);
        assert.equal(res.status, 200, res.body);
        assert.deepEqual(
          api.reviews.map((r) => [r.user, r.groups]),
          [['alice', ['team-a', 'team-b', 'system:authenticated']]],
        );
      } finally {
        await closeSession(session);
      }
    });
  });
});
