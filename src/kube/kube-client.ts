/**
 * The connection to kube-apiserver: a client-node KubeConfig loaded from `--kubeconfig` or from the
 * in-cluster ServiceAccount, a JSON GET for lists and discovery, a merge PATCH for status, POST and PUT for Leases, and
 * client-node's Watch. NB:
 * client-node
 * is imported lazily; it takes about a second to load, which a standalone adapter never pays.
 * @module
 */
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig, Watch } from '@kubernetes/client-node';

/** A failed call to kube-apiserver: the HTTP status (0 when there was no answer) and the Status message. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(
    message: string,
    readonly statusCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface KubeClient {
  /** `https://host:port` of kube-apiserver. */
  readonly server: string;
  readonly config: KubeConfig;
  /** client-node's Watch on this config (what `ListWatch` drives). */
  readonly watch: Watch;
  /** GET `path` (with query) as JSON. Throws KubeApiError on a non-2xx answer or a network error. */
  getJson<T>(path: string, signal?: AbortSignal): Promise<T>;
  /**
   * PATCH `path` with a JSON merge patch (RFC 7386); resolves with the object the server returns. Throws KubeApiError.
   */
  mergePatch<T>(path: string, patch: unknown, signal?: AbortSignal): Promise<T>;
  /** POST `object` to the collection at `path`; resolves with the created object. Throws KubeApiError (409: exists). */
  create<T>(path: string, object: unknown, signal?: AbortSignal): Promise<T>;
  /**
   * PUT `object` to `path`; with `metadata.resourceVersion` set, the server answers 409 when the object changed since.
   * Throws KubeApiError.
   */
  replace<T>(path: string, object: unknown, signal?: AbortSignal): Promise<T>;
}

export interface LoadKubeClientOptions {
  /** A kubeconfig file; when absent, the in-cluster ServiceAccount if this runs in a pod. */
  readonly kubeconfig?: string;
  /** Overrides the in-cluster check, for tests. Default: KUBERNETES_SERVICE_HOST set and the token file present. */
  readonly inCluster?: boolean;
}

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Whether this process runs in a pod with a mounted ServiceAccount token (client-go `rest.InClusterConfig`). */
export function runsInCluster(): boolean {
  return (
    process.env.KUBERNETES_SERVICE_HOST !== undefined &&
    process.env.KUBERNETES_SERVICE_PORT !== undefined &&
    existsSync(serviceAccountToken)
  );
}

/**
 * The client for `--kubeconfig`, else for the in-cluster ServiceAccount, else undefined (standalone).
 * Throws KubeApiError (status 0) when the kubeconfig cannot be read or names no cluster.
 */
export async function loadKubeClient(options: LoadKubeClientOptions): Promise<KubeClient | undefined> {
  const inCluster = options.inCluster ?? runsInCluster();
  if (options.kubeconfig === undefined && !inCluster) return undefined;
  const k8s = await import('@kubernetes/client-node');
  const config = new k8s.KubeConfig();
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else config.loadFromCluster();
  } catch (error) {
    const where = options.kubeconfig ?? 'the in-cluster service account';
    throw new KubeApiError(`cannot load ${where}: ${(error as Error).message}`, 0, { cause: error });
  }
  const cluster = config.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    throw new KubeApiError(`${options.kubeconfig ?? 'the in-cluster config'} has no current cluster with a server`, 0);
  }
  const server = cluster.server.replace(/\/+$/, '');
  return {
    server,
    config,
    watch: new k8s.Watch(config),
    getJson: (path, signal) => send(config, server, 'GET', path, undefined, signal),
    mergePatch: (path, patch, signal) => send(config, server, 'PATCH', path, JSON.stringify(patch), signal),
    create: (path, object, signal) => send(config, server, 'POST', path, JSON.stringify(object), signal),
    replace: (path, object, signal) => send(config, server, 'PUT', path, JSON.stringify(object), signal),
  };
}

async function send<T>(
  config: KubeConfig,
  server: string,
  method: 'GET' | 'PATCH' | 'POST' | 'PUT',
  path: string,
  body: string | undefined,
  signal: AbortSignal | undefined,
): Promise<T> {
  const options: RequestOptions = {};
  // NB: applied per call: a projected ServiceAccount token is rotated on disk, and client-node rereads it.
  await config.applyToHTTPSOptions(options);
  const url = new URL(server + path);
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise<T>((resolve, reject) => {
    const request = send(
      url,
      {
        ...options,
        method,
        headers: {
          ...options.headers,
          accept: 'application/json',
          ...(body !== undefined
            ? { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }
            : {}),
        },
        ...(signal ? { signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) =>
          reject(new KubeApiError(`${method} ${path}: ${error.message}`, 0, { cause: error })),
        );
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status < 200 || status > 299) {
            reject(new KubeApiError(`${method} ${path}: ${status} ${statusMessage(text)}`, status));
            return;
          }
          try {
            resolve(JSON.parse(text) as T);
          } catch (error) {
            reject(new KubeApiError(`${method} ${path}: the answer is not JSON`, status, { cause: error }));
          }
        });
      },
    );
    request.on('error', (error) =>
      reject(new KubeApiError(`${method} ${path}: ${error.message}`, 0, { cause: error })),
    );
    request.end(body);
  });
}

/** The `message` of a Status body, or the start of whatever else came back. */
function statusMessage(text: string): string {
  try {
    const status = JSON.parse(text) as { message?: unknown };
    if (typeof status.message === 'string') return status.message;
  } catch {
    // not a Status
  }
  return text.slice(0, 200).trim();
}
