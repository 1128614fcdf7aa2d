/**
 * The memory back end's resource metrics: CPU and memory usage per node and per pod container, written over
 * `POST /write-resource-metrics/...` and served on `metrics.k8s.io`, so `kubectl top` works without Prometheus.
 * With a cluster connected, label selectors and the labels in answers come from its pods and nodes; without
 * one, from the `objectLabels` given on writes.
 * @module
 */
import type { Labels } from '../../api/types.js';
import type { ListedObject, ObjectLister } from '../../kube/object-lister.js';
import type { ResourceUsageWrite } from '../write.js';
import type {
  ContainerUsage,
  GroupResource,
  NamespacedName,
  NodeUsage,
  PodUsage,
  QueryContext,
  ResourceMetricsProvider,
  ResourceUsage,
} from '../provider.js';
import { everything, type Selector } from '../../selector/index.js';

interface Sample {
  cpu: string | undefined;
  memory: string | undefined;
  timestamp: number;
  windowMs: number;
}

interface Entry {
  readonly namespace: string;
  readonly name: string;
  labels: Labels;
  /** A node's one sample under '', a pod's one per container. */
  readonly samples: Map<string, Sample>;
}

const pods: GroupResource = { group: '', resource: 'pods' };
const nodes: GroupResource = { group: '', resource: 'nodes' };

/** NB: prometheus-adapter reports 0 for the resource a container has no sample of, rather than leave it out. */
const usageOf = (sample: Sample): ResourceUsage => ({ cpu: sample.cpu ?? '0', memory: sample.memory ?? '0' });

export interface ResourceStoreOptions {
  /** Samples older than this are not served and are swept; 0 keeps them forever. */
  readonly ttlMs: number;
  readonly objects?: ObjectLister;
  readonly now?: () => number;
}

export class ResourceStore implements ResourceMetricsProvider {
  private readonly nodes = new Map<string, Entry>();
  private readonly pods = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly objects: ObjectLister | undefined;
  private readonly now: () => number;

  constructor(options: ResourceStoreOptions) {
    this.ttlMs = options.ttlMs;
    this.objects = options.objects;
    this.now = options.now ?? Date.now;
  }

  get seriesCount(): number {
    let count = this.nodes.size;
    for (const pod of this.pods.values()) count += pod.samples.size;
    return count;
  }

  write(write: ResourceUsageWrite): void {
    const isPod = write.container !== undefined;
    const table = isPod ? this.pods : this.nodes;
    const key = isPod ? `${write.namespace}/${write.name}` : write.name;
    let entry = table.get(key);
    if (entry === undefined) {
      entry = { namespace: write.namespace, name: write.name, labels: write.objectLabels ?? {}, samples: new Map() };
      table.set(key, entry);
    } else if (write.objectLabels !== undefined) {
      entry.labels = write.objectLabels;
    }
    const container = write.container ?? '';
    const earlier = entry.samples.get(container);
    entry.samples.set(container, {
      cpu: write.usage.cpu ?? earlier?.cpu,
      memory: write.usage.memory ?? earlier?.memory,
      timestamp: write.timestamp,
      windowMs: write.windowMs,
    });
  }

  /** Drops samples older than the TTL; returns how many. */
  sweep(): number {
    if (this.ttlMs <= 0) return 0;
    const oldest = this.now() - this.ttlMs;
    let dropped = 0;
    for (const table of [this.nodes, this.pods]) {
      for (const [key, entry] of table) {
        for (const [container, sample] of entry.samples) {
          if (sample.timestamp >= oldest) continue;
          entry.samples.delete(container);
          dropped++;
        }
        if (entry.samples.size === 0) table.delete(key);
      }
    }
    return dropped;
  }

  async getNodeMetrics(selector: Selector, ctx: QueryContext): Promise<readonly NodeUsage[]> {
    const listed = await this.objects?.listObjects?.(nodes, '', selector, ctx.signal);
    const found: NodeUsage[] = [];
    for (const [entry, labels] of this.select(this.nodes, listed, selector, () => true)) {
      const node = this.nodeUsage(entry, labels);
      if (node !== undefined) found.push(node);
    }
    return found;
  }

  async getNodeMetricsByName(name: string, ctx: QueryContext): Promise<NodeUsage | undefined> {
    const entry = this.nodes.get(name);
    if (entry === undefined) return undefined;
    const labels = await this.clusterLabels(nodes, '', name, ctx);
    return labels === null ? undefined : this.nodeUsage(entry, labels);
  }

  async getPodMetrics(namespace: string, selector: Selector, ctx: QueryContext): Promise<readonly PodUsage[]> {
    const listed = await this.objects?.listObjects?.(pods, namespace === '' ? null : namespace, selector, ctx.signal);
    const found: PodUsage[] = [];
    for (const [entry, labels] of this.select(
      this.pods,
      listed,
      selector,
      (e) => namespace === '' || e.namespace === namespace,
    )) {
      const pod = this.podUsage(entry, labels);
      if (pod !== undefined) found.push(pod);
    }
    return found;
  }

  async getPodMetricsByName(name: NamespacedName, ctx: QueryContext): Promise<PodUsage | undefined> {
    const entry = this.pods.get(`${name.namespace}/${name.name}`);
    if (entry === undefined) return undefined;
    const labels = await this.clusterLabels(pods, name.namespace, name.name, ctx);
    return labels === null ? undefined : this.podUsage(entry, labels);
  }

  /**
   * The entries to answer with and their labels: the cluster's objects that have an entry when a cluster
   * lists them, else the entries whose written labels `selector` matches.
   */
  private *select(
    table: Map<string, Entry>,
    listed: readonly ListedObject[] | undefined,
    selector: Selector,
    inScope: (entry: Entry) => boolean,
  ): Iterable<[Entry, Labels]> {
    if (listed !== undefined) {
      for (const object of listed) {
        const entry = table.get(object.namespace === '' ? object.name : `${object.namespace}/${object.name}`);
        if (entry !== undefined) yield [entry, object.labels];
      }
      return;
    }
    for (const entry of table.values()) {
      if (inScope(entry) && selector.matches(entry.labels)) yield [entry, entry.labels];
    }
  }

  /**
   * The object's labels in the cluster; undefined without a cluster (the written ones are used then), null when
   * the cluster has no such object (it has no usage then, as in metrics-server).
   */
  private async clusterLabels(
    gr: GroupResource,
    namespace: string,
    name: string,
    ctx: QueryContext,
  ): Promise<Labels | undefined | null> {
    const listed = await this.objects?.listObjects?.(gr, namespace, everything, ctx.signal);
    if (listed === undefined) return undefined;
    return listed.find((object) => object.name === name)?.labels ?? null;
  }

  private fresh(sample: Sample): boolean {
    return this.ttlMs <= 0 || sample.timestamp >= this.now() - this.ttlMs;
  }

  private nodeUsage(entry: Entry, labels: Labels | undefined): NodeUsage | undefined {
    const sample = entry.samples.get('');
    if (sample === undefined || !this.fresh(sample)) return undefined;
    return {
      name: entry.name,
      labels: labels ?? entry.labels,
      timestamp: sample.timestamp,
      windowMs: sample.windowMs,
      usage: usageOf(sample),
    };
  }

  private podUsage(entry: Entry, labels: Labels | undefined): PodUsage | undefined {
    const containers: ContainerUsage[] = [];
    let timestamp = Number.POSITIVE_INFINITY;
    let windowMs = 0;
    for (const [name, sample] of entry.samples) {
      if (!this.fresh(sample)) continue;
      containers.push({ name, usage: usageOf(sample) });
      // NB: the earliest sample dates the pod, as prometheus-adapter does, to be conservative about startup.
      if (sample.timestamp < timestamp) {
        timestamp = sample.timestamp;
        windowMs = sample.windowMs;
      }
    }
    if (containers.length === 0) return undefined;
    containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      namespace: entry.namespace,
      name: entry.name,
      labels: labels ?? entry.labels,
      timestamp,
      windowMs,
      containers,
    };
  }
}
