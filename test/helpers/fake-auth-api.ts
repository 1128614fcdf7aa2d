/**
 * A small fake Kubernetes API server on loopback HTTPS for what cannot run here: it answers
 * TokenReview (authentication.k8s.io/v1), SubjectAccessReview (authorization.k8s.io/v1), the
 * kube-system/extension-apiserver-authentication ConfigMap and /version in the real schema,
 * requires the adapter's own bearer token as kube-apiserver would, and counts every call.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCertificateAuthority } from '../../src/certs/certificate-authority.js';

export interface ReviewUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** The `spec` of a SubjectAccessReview as received. */
export interface SubjectAccessReviewSpec {
  readonly user?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  readonly nonResourceAttributes?: { readonly path: string; readonly verb: string };
}

export interface FakeAuthApiOptions {
  /** Valid bearer tokens and who they are (TokenReview). */
  readonly tokens?: Readonly<Record<string, ReviewUser>>;
  /** The SubjectAccessReview policy; default: allow every user but system:anonymous. */
  readonly authorize?: (spec: SubjectAccessReviewSpec) => { allowed: boolean; denied?: boolean; reason?: string };
  /** Data of kube-system/extension-apiserver-authentication; 404 when undefined. */
  readonly authenticationConfigMap?: Readonly<Record<string, string>>;
}

export interface FakeAuthApi {
  readonly url: string;
  readonly caPem: string;
  readonly calls: {
    tokenReviews: number;
    subjectAccessReviews: number;
    configMaps: number;
    configMapWatches: number;
    versions: number;
  };
  /** Changes kube-system/extension-apiserver-authentication (undefined deletes it) and tells every open watch. */
  setAuthenticationConfigMap(data: Readonly<Record<string, string>> | undefined): void;
  /** Ends the open watches, as the apiserver does after its timeout; `refuseNew` answers later ones 500. */
  endWatches(options?: { readonly refuseNew?: boolean }): void;
  readonly reviews: SubjectAccessReviewSpec[];
  /** A kubeconfig for the adapter (its ServiceAccount token), written into `dir`. */
  writeKubeconfig(dir: string): Promise<string>;
  reset(): void;
  close(): Promise<void>;
}

type Policy = NonNullable<FakeAuthApiOptions['authorize']>;
const defaultPolicy: Policy = (spec) =>
  spec.user === 'system:anonymous' ? { allowed: false, reason: 'anonymous is not allowed here' } : { allowed: true };

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

export async function startFakeAuthApi(options: FakeAuthApiOptions = {}): Promise<FakeAuthApi> {
  const now = Date.now();
  const ca = await createCertificateAuthority({
    commonName: 'fake-kube-apiserver-ca',
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 86_400_000),
  });
  const serving = await ca.issue({
    commonName: 'kube-apiserver',
    usages: ['serverAuth'],
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 86_400_000),
  });
  const adapterToken = randomBytes(16).toString('hex');
  const calls = { tokenReviews: 0, subjectAccessReviews: 0, configMaps: 0, configMapWatches: 0, versions: 0 };
  let configMapData = options.authenticationConfigMap;
  let resourceVersion = 1;
  let failWatches = false;
  const watchers = new Set<ServerResponse>();
  const configMapObject = () => ({
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: {
      name: 'extension-apiserver-authentication',
      namespace: 'kube-system',
      uid: 'f0f0f0f0-0000-4000-8000-000000000001',
      resourceVersion: String(resourceVersion),
      creationTimestamp: '2025-01-01T00:00:00Z',
    },
    data: configMapData,
  });
  const reviews: SubjectAccessReviewSpec[] = [];
  const authorize = options.authorize ?? defaultPolicy;

  const server: Server = createServer({ key: serving.keyPem, cert: serving.certPem }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const send = (code: number, json: string) =>
        res.writeHead(code, { 'content-type': 'application/json' }).end(json);
      if (req.headers.authorization !== `Bearer ${adapterToken}`)
        return send(401, status(401, 'Unauthorized', 'Unauthorized'));
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/version') {
        calls.versions++;
        return send(
          200,
          JSON.stringify({
            major: '1',
            minor: '35',
            gitVersion: 'v1.35.0',
            gitCommit: '0',
            gitTreeState: 'clean',
            buildDate: '2025-12-17T00:00:00Z',
            goVersion: 'go1.25.5',
            compiler: 'gc',
            platform: 'linux/amd64',
          }),
        );
      }
      if (
        req.method === 'GET' &&
        path === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication'
      ) {
        calls.configMaps++;
        if (configMapData === undefined)
          return send(404, status(404, 'NotFound', 'configmaps "extension-apiserver-authentication" not found'));
        return send(200, JSON.stringify(configMapObject()));
      }
      // The watch API: `?watch=1` (or true) streams one JSON WatchEvent {type, object} per line,
      // starting with ADDED for what exists (no resourceVersion given: "start at most recent").
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      if (
        req.method === 'GET' &&
        path === '/api/v1/namespaces/kube-system/configmaps' &&
        ['1', 'true'].includes(query.get('watch') ?? '')
      ) {
        calls.configMapWatches++;
        if (query.get('fieldSelector') !== 'metadata.name=extension-apiserver-authentication')
          return send(
            400,
            status(400, 'BadRequest', 'this fake watches only metadata.name=extension-apiserver-authentication'),
          );
        if (failWatches) return send(500, status(500, 'InternalError', 'watch refused by the test'));
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        if (configMapData !== undefined) res.write(`${JSON.stringify({ type: 'ADDED', object: configMapObject() })}\n`);
        watchers.add(res);
        res.once('close', () => watchers.delete(res));
        return;
      }
      let review: { apiVersion?: string; kind?: string; spec?: Record<string, unknown> };
      try {
        review = JSON.parse(body) as typeof review;
      } catch {
        return send(400, status(400, 'BadRequest', 'the body is not JSON'));
      }
      if (req.method === 'POST' && path === '/apis/authentication.k8s.io/v1/tokenreviews') {
        calls.tokenReviews++;
        if (review.apiVersion !== 'authentication.k8s.io/v1' || review.kind !== 'TokenReview')
          return send(400, status(400, 'BadRequest', 'not a TokenReview'));
        const token = String(review.spec?.token ?? '');
        const user = options.tokens?.[token];
        const answer = user
          ? {
              authenticated: true,
              user: {
                username: user.username,
                ...(user.uid ? { uid: user.uid } : {}),
                groups: user.groups ?? [],
                ...(user.extra ? { extra: user.extra } : {}),
              },
              audiences: ['https://kubernetes.default.svc.cluster.local'],
            }
          : { user: {}, error: 'invalid bearer token' };
        return send(
          201,
          JSON.stringify({
            kind: 'TokenReview',
            apiVersion: 'authentication.k8s.io/v1',
            metadata: { creationTimestamp: null },
            spec: review.spec,
            status: answer,
          }),
        );
      }
      if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
        calls.subjectAccessReviews++;
        if (review.apiVersion !== 'authorization.k8s.io/v1' || review.kind !== 'SubjectAccessReview')
          return send(400, status(400, 'BadRequest', 'not a SubjectAccessReview'));
        const spec = (review.spec ?? {}) as SubjectAccessReviewSpec;
        reviews.push(spec);
        const decision = authorize(spec);
        const answer = {
          allowed: decision.allowed,
          ...(decision.denied ? { denied: true } : {}),
          ...(decision.reason ? { reason: decision.reason } : {}),
        };
        return send(
          201,
          JSON.stringify({
            kind: 'SubjectAccessReview',
            apiVersion: 'authorization.k8s.io/v1',
            metadata: { creationTimestamp: null },
            spec,
            status: answer,
          }),
        );
      }
      return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    caPem: ca.certPem,
    calls,
    reviews,
    async writeKubeconfig(dir) {
      const file = join(dir, `fake-auth-api-${randomBytes(4).toString('hex')}.kubeconfig`);
      const text = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${url}`,
        `    certificate-authority-data: ${Buffer.from(ca.certPem).toString('base64')}`,
        'users:',
        '- name: adapter',
        `  user: {token: ${adapterToken}}`,
        'contexts:',
        '- name: fake',
        '  context: {cluster: fake, user: adapter}',
        'current-context: fake',
        '',
      ].join('\n');
      await writeFile(file, text, { mode: 0o600 });
      return file;
    },
    setAuthenticationConfigMap(data) {
      const type = data === undefined ? 'DELETED' : configMapData === undefined ? 'ADDED' : 'MODIFIED';
      const before = configMapObject();
      resourceVersion++;
      configMapData = data;
      const event = `${JSON.stringify({ type, object: type === 'DELETED' ? { ...before, metadata: { ...before.metadata, resourceVersion: String(resourceVersion) } } : configMapObject() })}\n`;
      for (const watcher of watchers) watcher.write(event);
    },
    endWatches(options = {}) {
      failWatches = options.refuseNew === true;
      for (const watcher of watchers) watcher.end();
    },
    reset() {
      calls.tokenReviews = calls.subjectAccessReviews = calls.configMaps = calls.configMapWatches = calls.versions = 0;
      reviews.length = 0;
    },
    close() {
      for (const watcher of watchers) watcher.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
