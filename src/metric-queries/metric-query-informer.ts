/**
 * Watches every MetricQuery in the cluster with client-node's ListWatch (list, then watch from the list's
 * resourceVersion, resume, relist after 410 Gone), whole objects this time: the adapter needs their spec.
 * Other errors (the CRD not installed, RBAC missing, the API server away) restart it with a backoff; they are
 * logged once at warning level until a list succeeds again, so a cluster without the CRD is not flooded.
 * @module
 */
import { ListWatch, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/kube-client.js';
import { bookmarkingWatch } from '../kube/resource-informer.js';
import type { Logger } from '../log/index.js';
import { metricQueriesPath, type MetricQueryObject } from './metric-query.js';

export interface MetricQueryHandlers {
  upsert(object: MetricQueryObject): void;
  remove(object: MetricQueryObject): void;
}

const maxBackoffMs = 60_000;

export class MetricQueryInformer {
  private readonly listWatch: ListWatch<KubernetesObject>;
  private stopped = false;
  private backoffMs = 1000;
  private restartTimer: NodeJS.Timeout | undefined;
  private warned = false;
  /** The last error, until a list succeeds; for the status page. */
  lastError: string | undefined;
  synced = false;

  constructor(
    client: KubeClient,
    handlers: MetricQueryHandlers,
    private readonly logger: Logger,
  ) {
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const answer = await client.getJson<KubernetesListObject<KubernetesObject>>(metricQueriesPath);
      this.synced = true;
      this.lastError = undefined;
      this.backoffMs = 1000;
      if (this.warned) logger.info('MetricQuery objects are listed again');
      this.warned = false;
      return answer;
    };
    this.listWatch = new ListWatch(
      metricQueriesPath,
      bookmarkingWatch(client.watch, () => this.stopped),
      list,
      false,
    );
    // NB: the wire object, not client-node's class: creationTimestamp is the string the server sent.
    this.listWatch.on('add', (object) => handlers.upsert(object as unknown as MetricQueryObject));
    this.listWatch.on('update', (object) => handlers.upsert(object as unknown as MetricQueryObject));
    this.listWatch.on('delete', (object) => handlers.remove(object as unknown as MetricQueryObject));
    this.listWatch.on('error', (error: unknown) => this.failed(error));
  }

  start(): void {
    void this.listWatch.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    void this.listWatch.stop();
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    const message = error instanceof Error ? error.message : String(error);
    this.lastError = message;
    const fields = { path: metricQueriesPath, err: message, retryInMs: this.backoffMs };
    if (this.warned) this.logger.debug(fields, 'MetricQuery list/watch failed; retrying');
    else
      this.logger.warn(
        fields,
        'cannot list or watch MetricQuery objects (is the CRD installed, and may the adapter list them?); retrying, further failures are logged at debug level',
      );
    this.warned = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) void this.listWatch.start();
    }, this.backoffMs);
    this.restartTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
  }
}
