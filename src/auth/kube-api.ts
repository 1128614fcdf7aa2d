/**
 * The few Kubernetes API calls delegated auth needs (TokenReview, SubjectAccessReview, the
 * extension-apiserver-authentication ConfigMap, /version as a reachability probe), through
 * @kubernetes/client-node with a kubeconfig file or the Pod's ServiceAccount. Every call has a
 * deadline and reports to `health`, which feeds /readyz.
 * @module
 */
import { existsSync } from 'node:fs';
import type {
  ConfigurationOptions,
  KubeConfig,
  ObservableMiddleware,
  RequestContext,
  ResponseContext,
  V1SubjectAccessReviewSpec,
  V1SubjectAccessReviewStatus,
  V1TokenReviewStatus,
} from '@kubernetes/client-node';

/** NB: the apiserver's webhook client timeout (DelegatingAuthorizationOptions.ClientTimeout) is 10 s. */
export const defaultKubeApiTimeoutMs = 10_000;
const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export interface KubeApiHealth {
  /** undefined until the first call finished. */
  readonly reachable: boolean | undefined;
  readonly lastError?: string;
}

export interface KubeApi {
  /** Where it talks to, for log lines. */
  readonly server: string;
  createTokenReview(token: string, audiences: readonly string[]): Promise<V1TokenReviewStatus>;
  createSubjectAccessReview(spec: V1SubjectAccessReviewSpec): Promise<V1SubjectAccessReviewStatus>;
  /** The ConfigMap's data, or undefined when it does not exist. */
  readConfigMap(namespace: string, name: string): Promise<Readonly<Record<string, string>> | undefined>;
  /**
   * Watches one ConfigMap: `onEvent` gets each ADDED/MODIFIED (its data) and DELETED (undefined),
   * starting with the current state; `onEnd` once when the watch ends, with the error if it failed.
   */
  watchConfigMap(
    namespace: string,
    name: string,
    onEvent: (data: Readonly<Record<string, string>> | undefined) => void,
    onEnd: (error?: Error) => void,
  ): Promise<{ stop(): void }>;
  probe(): Promise<void>;
  health(): KubeApiHealth;
}

/** True when this process runs in a Pod with a ServiceAccount token (client-go rest.InClusterConfig). */
export function inCluster(): boolean {
  return (
    process.env.KUBERNETES_SERVICE_HOST !== undefined &&
    process.env.KUBERNETES_SERVICE_PORT !== undefined &&
    existsSync(serviceAccountToken)
  );
}

/**
 * Loads `kubeconfigFile`, or the in-cluster config when it is undefined and this runs in a Pod;
 * undefined when neither applies. Throws when the file cannot be loaded or names no cluster.
 */
export async function loadKubeConfig(kubeconfigFile: string | undefined): Promise<KubeConfig | undefined> {
  if (kubeconfigFile === undefined && !inCluster()) return undefined;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (kubeconfigFile === undefined) config.loadFromCluster();
  else config.loadFromFile(kubeconfigFile);
  if (config.getCurrentCluster() === null)
    throw new Error(`${kubeconfigFile ?? 'the in-cluster config'} names no current cluster`);
  return config;
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const body = (error as { body?: unknown }).body;
  if (typeof code === 'number')
    return `HTTP ${code}${typeof body === 'string' && body.length < 300 ? `: ${body}` : ''}`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

export async function createKubeApi(config: KubeConfig, timeoutMs: number = defaultKubeApiTimeoutMs): Promise<KubeApi> {
  const client = await import('@kubernetes/client-node');
  const authentication = config.makeApiClient(client.AuthenticationV1Api);
  const authorization = config.makeApiClient(client.AuthorizationV1Api);
  const core = config.makeApiClient(client.CoreV1Api);
  const version = config.makeApiClient(client.VersionApi);
  // NB: per-call options take Observable middleware (client-node's small rxjs stand-in).
  const deadline: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new client.Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new client.Observable(Promise.resolve(context)),
  };
  const options: ConfigurationOptions = { middleware: [deadline], middlewareMergeStrategy: 'append' };
  let state: KubeApiHealth = { reachable: undefined };
  const track = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      state = { reachable: true };
      return result;
    } catch (error) {
      const status = (error as { code?: unknown }).code;
      // An HTTP answer proves the API server is there; only transport failures make it unreachable.
      const lastError = `${what}: ${describe(error)}`;
      state =
        typeof status === 'number' && status < 500 ? { reachable: true, lastError } : { reachable: false, lastError };
      throw new Error(lastError, { cause: error });
    }
  };
  return {
    server: config.getCurrentCluster()?.server ?? '',
    health: () => state,
    async createTokenReview(token, audiences) {
      const review = await track('TokenReview', () =>
        authentication.createTokenReview(
          {
            body: {
              apiVersion: 'authentication.k8s.io/v1',
              kind: 'TokenReview',
              spec: { token, ...(audiences.length > 0 ? { audiences: [...audiences] } : {}) },
            },
          },
          options,
        ),
      );
      return review.status ?? {};
    },
    async createSubjectAccessReview(spec) {
      const review = await track('SubjectAccessReview', () =>
        authorization.createSubjectAccessReview(
          { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec } },
          options,
        ),
      );
      return review.status ?? { allowed: false };
    },
    async readConfigMap(namespace, name) {
      try {
        const configMap = await track(`reading ConfigMap ${namespace}/${name}`, () =>
          core.readNamespacedConfigMap({ namespace, name }, options),
        );
        return configMap.data ?? {};
      } catch (error) {
        if ((error as { cause?: { code?: unknown } }).cause?.code === 404) return undefined;
        throw error;
      }
    },
    async watchConfigMap(namespace, name, onEvent, onEnd) {
      let ended = false;
      const end = (error?: Error) => {
        if (ended) return;
        ended = true;
        onEnd(error);
      };
      // NB: client-node gives a watch no deadline for its response headers; without one a server that
      // accepts and never answers would leave us neither watching nor polling.
      const headersDeadline = setTimeout(
        () => end(new Error(`watch of ConfigMap ${namespace}/${name}: no answer within ${timeoutMs / 1000}s`)),
        timeoutMs,
      ).unref();
      // NB: no resourceVersion: the apiserver first sends ADDED for what exists, so a re-watch also resyncs.
      const controller = await new client.Watch(config)
        .watch(
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`,
          { fieldSelector: `metadata.name=${name}` },
          (type: string, object: { data?: Record<string, string> }) => {
            if (type === 'ADDED' || type === 'MODIFIED') onEvent(object.data ?? {});
            else if (type === 'DELETED') onEvent(undefined);
            else if (type === 'ERROR')
              end(new Error(`watch of ConfigMap ${namespace}/${name}: ${JSON.stringify(object)}`));
          },
          (error: unknown) =>
            end(
              error
                ? new Error(`watch of ConfigMap ${namespace}/${name}: ${describe(error)}`, { cause: error })
                : undefined,
            ),
        )
        .catch((error: unknown) => {
          end(new Error(`watch of ConfigMap ${namespace}/${name}: ${describe(error)}`, { cause: error }));
          return undefined;
        });
      clearTimeout(headersDeadline);
      if (ended) controller?.abort();
      return {
        stop() {
          ended = true;
          controller?.abort();
        },
      };
    },
    async probe() {
      await track('GET /version', () => version.getCode(undefined, options));
    },
  };
}
