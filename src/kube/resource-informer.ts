/**
 * One informer: client-node's ListWatch on one resource across all namespaces, feeding a label index
 * per namespace, so a selector query costs what it returns and makes no API call. ListWatch lists, then
 * watches from the list's resourceVersion, resumes a watch the server closed, and lists again after a
 * 410 Gone; what it leaves to us is restarting after other errors, which this does with a backoff.
 * @module
 */
import { ListWatch, type KubernetesListObject, type KubernetesObject, type Watch } from '@kubernetes/client-node';
import type { Labels } from '../api/types.js';
import type { Logger } from '../log/index.js';
import { ObjectIndex, type Selector } from '../selector/index.js';
import type { ResourceLocation } from './discovery-resource-mapper.js';
import type { KubeClient } from './kube-client.js';
import type { ListedObject, ObjectMatches } from './object-lister.js';

/** The API path that lists `location` in every namespace. */
export function collectionPath(location: ResourceLocation): string {
  const base = location.group === '' ? `/api/${location.version}` : `/apis/${location.group}/${location.version}`;
  return `${base}/${location.resource}`;
}

/**
 * Only what a selector needs is kept: a pod's spec and status are most of its size. NB: resourceVersion
 * stays, since ListWatch compares it to skip unchanged objects on a relist.
 */
function slim(object: KubernetesObject): KubernetesObject {
  const metadata = object.metadata ?? {};
  return {
    metadata: {
      name: metadata.name ?? '',
      namespace: metadata.namespace ?? '',
      labels: Object.freeze({ ...metadata.labels }),
      ...(metadata.resourceVersion !== undefined ? { resourceVersion: metadata.resourceVersion } : {}),
    },
  };
}

const none: ObjectMatches = { size: 0, has: () => false, [Symbol.iterator]: () => [][Symbol.iterator]() };
const maxBackoffMs = 30_000;

export class ResourceInformer {
  /** Epoch ms of the last query, for the idle timeout. */
  lastUsed = Date.now();
  private readonly byNamespace = new Map<string, ObjectIndex>();
  private readonly listWatch: ListWatch<KubernetesObject>;
  private synced = false;
  private lastError: Error | undefined;
  private waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private stopped = false;
  private backoffMs = 1000;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: KubeClient,
    readonly location: ResourceLocation,
    private readonly logger: Logger,
  ) {
    const path = collectionPath(location);
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const answer = await client.getJson<KubernetesListObject<KubernetesObject>>(path);
      // NB: ListWatch adds the items after this promise settles; setImmediate runs after that.
      setImmediate(() => this.markSynced());
      return {
        items: (answer.items ?? []).map(slim),
        metadata: { resourceVersion: answer.metadata?.resourceVersion ?? '' },
      };
    };
    this.listWatch = new ListWatch(
      path,
      bookmarkingWatch(client.watch, () => this.stopped, slim),
      list,
      false,
    );
    this.listWatch.on('add', (object) => this.indexFor(namespaceOf(object)).retain(nameOf(object), labelsOf(object)));
    this.listWatch.on('update', (object) =>
      this.indexFor(namespaceOf(object)).update(nameOf(object), labelsOf(object)),
    );
    this.listWatch.on('delete', (object) => this.byNamespace.get(namespaceOf(object))?.release(nameOf(object)));
    this.listWatch.on('error', (error: unknown) => this.failed(error));
  }

  start(): void {
    void this.listWatch.start();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    void this.listWatch.stop();
    for (const waiter of this.waiters) waiter.reject(new Error('the informer was stopped'));
    this.waiters.clear();
  }

  /** Resolves once the first list is in; rejects at once when the last attempt failed and nothing is cached. */
  whenSynced(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.synced) return Promise.resolve();
    if (this.lastError !== undefined) return Promise.reject(this.lastError);
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        resolve: () => finish(),
        reject: (error: Error) => finish(error),
      };
      const timer = setTimeout(
        () => finish(new Error(`no answer from ${this.client.server} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const onAbort = () => finish(new Error('the request was cancelled'));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
        if (error === undefined) resolve();
        else reject(error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** The objects in `namespace` that `selector` matches. Call after whenSynced. */
  matching(namespace: string, selector: Selector): ObjectMatches {
    this.lastUsed = Date.now();
    const index = this.byNamespace.get(namespace);
    if (index === undefined) return none;
    if (selector.isEmpty()) {
      return {
        size: index.size,
        has: (name) => index.labelsOf(name) !== undefined,
        [Symbol.iterator]: () => index.names(),
      };
    }
    const matches = new Set<string>();
    const candidates = index.candidates(selector, index.size);
    for (const set of candidates ?? [index.names()]) {
      for (const name of set) {
        if (selector.matches(index.labelsOf(name) ?? {})) matches.add(name);
      }
    }
    return matches;
  }

  /**
   * The objects `selector` matches with their labels, in `namespace` or (null) every namespace. Call after whenSynced.
   */
  listObjects(namespace: string | null, selector: Selector): ListedObject[] {
    this.lastUsed = Date.now();
    const listed: ListedObject[] = [];
    const indexes =
      namespace === null ? [...this.byNamespace] : [[namespace, this.byNamespace.get(namespace)] as const];
    for (const [ns, index] of indexes) {
      if (index === undefined) continue;
      for (const name of index.names()) {
        const labels = index.labelsOf(name) ?? {};
        if (selector.matches(labels)) listed.push({ namespace: ns, name, labels });
      }
    }
    return listed;
  }

  private indexFor(namespace: string): ObjectIndex {
    let index = this.byNamespace.get(namespace);
    if (index === undefined) {
      index = new ObjectIndex();
      this.byNamespace.set(namespace, index);
    }
    return index;
  }

  private markSynced(): void {
    this.lastError = undefined;
    this.backoffMs = 1000;
    if (this.synced) return;
    this.synced = true;
    for (const waiter of this.waiters) waiter.resolve();
  }

  private failed(error: unknown): void {
    if (this.stopped) return;
    const err = error instanceof Error ? error : new Error(String(error));
    this.lastError = err;
    for (const waiter of this.waiters) waiter.reject(err);
    const what = collectionPath(this.location);
    this.logger.warn({ path: what, err: err.message, retryInMs: this.backoffMs }, 'list/watch failed; retrying');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (!this.stopped) void this.listWatch.start();
    }, this.backoffMs);
    this.restartTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
  }
}

/**
 * client-node's Watch, asking for bookmarks (so a resumed watch starts from a recent resourceVersion
 * rather than one the server compacted) and for a server-side timeout (so a silently dead connection is
 * replaced, as client-go's reflector does with 5 to 10 minutes). `transform` (the object lister's slimming) runs before
 * ListWatch
 * keeps an object. NB: ListWatch.stop() aborts only a watch whose response headers have arrived; one still
 * connecting when the informer stops is aborted here as soon as it connects.
 */
export function bookmarkingWatch(
  watch: Watch,
  stopped: () => boolean,
  transform: (object: KubernetesObject) => KubernetesObject = (object) => object,
): Watch {
  return {
    config: watch.config,
    async watch(path, queryParams, callback, done) {
      const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
      const controller = await watch.watch(
        path,
        { ...queryParams, allowWatchBookmarks: true, timeoutSeconds },
        (phase, object: KubernetesObject, raw) => {
          callback(phase, phase === 'ERROR' ? object : transform(object), raw);
        },
        done,
      );
      if (stopped()) controller.abort();
      return controller;
    },
  };
}

function namespaceOf(object: KubernetesObject): string {
  return object.metadata?.namespace ?? '';
}

function nameOf(object: KubernetesObject): string {
  return object.metadata?.name ?? '';
}

function labelsOf(object: KubernetesObject): Labels {
  return (object.metadata?.labels ?? {}) as Labels;
}
