/**
 * Custom and external providers that ask another metrics API server, so metrics-adapter can be the one
 * registered APIService while KEDA or prometheus-adapter keep working behind it. Discovery is polled
 * on an interval and served from memory (discovery must not wait on the network); data requests go
 * through as one GET each, and the other server's errors come back as its own Status.
 * @module
 */
import { serviceUnavailable, StatusError } from '../../api/errors.js';
import {
  customMetricsGroup,
  externalMetricsGroup,
  externalMetricsVersion,
  type CustomMetricsVersion,
} from '../../api/types.js';
import { groupResourceString } from '../../api/errors.js';
import type { Logger } from '../../log/index.js';
import type { Selector } from '../../selector/index.js';
import type { Readiness } from '../health.js';
import type {
  CustomMetricInfo,
  CustomMetricsProvider,
  ExternalMetricInfo,
  ExternalMetricsProvider,
  ExternalMetricValue,
  MetricValue,
  NamespacedName,
  QueryContext,
} from '../provider.js';
import {
  decodeCustomResourceList,
  decodeExternalMetricValueList,
  decodeExternalResourceList,
  decodeMetricValueList,
  upstreamError,
} from './decode.js';
import type { UpstreamClient, UpstreamResponse } from '../http/upstream-client.js';

export interface ForwardProviderOptions {
  readonly client: UpstreamClient;
  readonly url: string;
  readonly logger: Logger;
}

function segment(text: string): string {
  return text === '*' ? '%2A' : encodeURIComponent(text);
}

function query(params: readonly [string, Selector][]): string {
  const search = new URLSearchParams();
  for (const [name, selector] of params) if (!selector.isEmpty()) search.set(name, selector.toString());
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Keeps the previous array while the content is the same, so the server's discovery cache stays warm. */
function stable<T>(previous: readonly T[], next: readonly T[]): readonly T[] {
  return JSON.stringify(previous) === JSON.stringify(next) ? previous : next;
}

export class ForwardProvider implements CustomMetricsProvider, ExternalMetricsProvider {
  private customVersion: CustomMetricsVersion | undefined;
  private hasExternal = false;
  private customList: readonly CustomMetricInfo[] = [];
  private externalList: readonly ExternalMetricInfo[] = [];
  private lastError: string | undefined = 'discovery of the forwarded server has not finished yet';

  constructor(private readonly options: ForwardProviderOptions) {}

  /** Reads the other server's discovery documents; never throws, records why it failed instead. */
  async refreshDiscovery(): Promise<void> {
    try {
      const v2 = await this.options.client.get(`/apis/${customMetricsGroup}/v1beta2`);
      let customVersion: CustomMetricsVersion | undefined;
      let custom: UpstreamResponse | undefined;
      if (v2.status === 200) [customVersion, custom] = ['v1beta2', v2];
      else {
        const v1 = await this.options.client.get(`/apis/${customMetricsGroup}/v1beta1`);
        if (v1.status === 200) [customVersion, custom] = ['v1beta1', v1];
      }
      const external = await this.options.client.get(`/apis/${externalMetricsGroup}/${externalMetricsVersion}`);
      if (custom === undefined && external.status !== 200) {
        throw new Error(
          `it serves neither metrics API (HTTP ${v2.status} for ${customMetricsGroup}, ${external.status} for ${externalMetricsGroup})`,
        );
      }
      this.customVersion = customVersion;
      this.customList = stable(this.customList, custom === undefined ? [] : decodeCustomResourceList(custom));
      this.hasExternal = external.status === 200;
      this.externalList = stable(this.externalList, this.hasExternal ? decodeExternalResourceList(external) : []);
      if (this.lastError !== undefined)
        this.options.logger.info({ upstream: this.options.url }, 'forwarded metrics server discovered');
      this.lastError = undefined;
    } catch (error) {
      const message = error instanceof StatusError ? error.message : (error as Error).message;
      if (this.lastError !== message)
        this.options.logger.warn(
          { upstream: this.options.url, err: message },
          'cannot read discovery of the forwarded metrics server',
        );
      this.lastError = message;
    }
  }

  readiness(): Readiness {
    return this.lastError === undefined
      ? { ready: true }
      : { ready: false, message: `${this.options.url}: ${this.lastError}` };
  }

  listAllMetrics(): readonly CustomMetricInfo[] {
    return this.customList;
  }

  listAllExternalMetrics(): readonly ExternalMetricInfo[] {
    return this.externalList;
  }

  async getMetricByName(
    name: NamespacedName,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<MetricValue> {
    const values = await this.custom(
      objectPath(info, name.namespace, name.name),
      [['metricLabelSelector', metricSelector]],
      ctx,
    );
    const value = values[0];
    if (values.length !== 1 || value === undefined)
      throw serviceUnavailable(`the forwarded metrics server answered ${values.length} values for one object`);
    return value;
  }

  getMetricBySelector(
    namespace: string,
    selector: Selector,
    info: CustomMetricInfo,
    metricSelector: Selector,
    ctx: QueryContext,
  ): Promise<readonly MetricValue[]> {
    return this.custom(
      objectPath(info, namespace, '*'),
      [
        ['labelSelector', selector],
        ['metricLabelSelector', metricSelector],
      ],
      ctx,
    );
  }

  async getExternalMetric(
    namespace: string,
    metricSelector: Selector,
    info: ExternalMetricInfo,
    ctx: QueryContext,
  ): Promise<readonly ExternalMetricValue[]> {
    const path = `/apis/${externalMetricsGroup}/${externalMetricsVersion}/namespaces/${segment(namespace)}/${segment(info.metric)}`;
    const response = await this.send(path + query([['labelSelector', metricSelector]]), ctx);
    return decodeExternalMetricValueList(response);
  }

  private async custom(path: string, params: readonly [string, Selector][], ctx: QueryContext): Promise<MetricValue[]> {
    const version = this.customVersion ?? 'v1beta2';
    const response = await this.send(`/apis/${customMetricsGroup}/${version}${path}${query(params)}`, ctx);
    return decodeMetricValueList(response, version);
  }

  private async send(pathAndQuery: string, ctx: QueryContext): Promise<UpstreamResponse> {
    let response: UpstreamResponse;
    try {
      response = await this.options.client.get(pathAndQuery, ctx.signal);
    } catch (error) {
      // NB: the detail (address, TLS error) goes to the log through `cause`, not to the caller.
      throw serviceUnavailable('the forwarded metrics server is unavailable', error);
    }
    if (response.status !== 200) throw upstreamError(response);
    return response;
  }
}

/** The path after `/apis/{group}/{version}` for an object, or `*` for every object (forms A-E). */
function objectPath(info: CustomMetricInfo, namespace: string, name: string): string {
  const metric = segment(info.metric);
  if (info.groupResource.group === '' && info.groupResource.resource === 'namespaces' && !info.namespaced) {
    return `/namespaces/${segment(name)}/metrics/${metric}`;
  }
  const resource = segment(groupResourceString(info.groupResource));
  return namespace === ''
    ? `/${resource}/${segment(name)}/${metric}`
    : `/namespaces/${segment(namespace)}/${resource}/${segment(name)}/${metric}`;
}
