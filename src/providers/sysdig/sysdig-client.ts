/**
 * Sysdig's Data API (`POST /api/data`) and metric descriptors (`GET /api/v2/metrics/descriptors`) over the
 * shared upstream client, with one deadline per call: 429 and 502-504 are retried with backoff (Retry-After
 * when Sysdig sends it) while the deadline allows, and every failure becomes a 503 naming its cause.
 * The request and response shapes follow Sysdig's Data API documentation and its own clients
 * (sysdig-sdk-python `get_data`, k8s-sysdig-adapter `internal/sdc`).
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { serviceUnavailable, StatusError } from '../../api/errors.js';
import type { UpstreamClient, UpstreamResponse } from '../http/upstream-client.js';

/** One entry of a Data API request's `metrics`: a value with aggregations, or a label that segments the answer. */
export type DataMetric =
  | { readonly id: string; readonly aggregations: { readonly time: string; readonly group: string } }
  | { readonly id: string };

/** The body of `POST /api/data`. */
export interface DataRequest {
  readonly metrics: readonly DataMetric[];
  /** Seconds before now; the whole window is aggregated into one sample (no `sampling`). */
  readonly last: number;
  readonly filter?: string;
  readonly dataSourceType?: 'container' | 'host';
  /** Which segments, ranked by the group aggregation; inclusive, default the top 10. */
  readonly paging?: { readonly from: number; readonly to: number };
}

const dataResponse = z.object({
  data: z.array(z.object({ t: z.number(), d: z.array(z.union([z.string(), z.number(), z.null()])) })).default([]),
  start: z.number().optional(),
  end: z.number().optional(),
});

export type DataResponse = z.infer<typeof dataResponse>;

const descriptorPage = z.object({
  total: z.number().optional(),
  offset: z.number().optional(),
  metricDescriptors: z
    .array(
      z.object({
        id: z.string(),
        metricType: z.string().optional(),
        namespaces: z.array(z.string()).nullable().optional(),
      }),
    )
    .default([]),
});

export type MetricDescriptor = z.infer<typeof descriptorPage>['metricDescriptors'][number];

/** The page size the descriptor listing asks for. */
export const descriptorPageSize = 1000;

/** A 401/403: the token is missing, wrong, revoked or lacks the permission. */
export class SysdigAuthError extends StatusError {
  constructor(status: number) {
    super(
      503,
      'ServiceUnavailable',
      `the Sysdig API rejected the API token (HTTP ${status}): check the token in the Secret (SDC_TOKEN or tokenFile)`,
    );
  }
}

export interface SysdigClientOptions {
  readonly http: UpstreamClient;
  /** The deadline of one call, retries included. */
  readonly timeoutMs: number;
  /** First backoff after a 429 without Retry-After; doubled each time. Default 200 ms. */
  readonly backoffMs?: number;
}

const retryable = new Set([429, 502, 503, 504]);

/** Sysdig's error bodies: `{errors: [{message, reason}]}` or a Spring `{message}`; the first message, if any. */
function errorMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as {
      errors?: { message?: string; reason?: string }[];
      message?: string;
      error?: string;
    };
    const first = parsed.errors?.[0];
    return first?.message ?? first?.reason ?? parsed.message ?? parsed.error;
  } catch {
    return undefined;
  }
}

function retryAfterMs(response: UpstreamResponse): number | undefined {
  const header = response.headers['retry-after'];
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export class SysdigClient {
  constructor(private readonly options: SysdigClientOptions) {}

  /** One Data API query. */
  async data(request: DataRequest, signal?: AbortSignal): Promise<DataResponse> {
    const response = await this.call('/api/data', { method: 'POST', json: request }, signal);
    return this.parse(response, dataResponse, 'Data API answer');
  }

  /** Every metric descriptor, page by page. */
  async descriptors(signal?: AbortSignal): Promise<MetricDescriptor[]> {
    const all: MetricDescriptor[] = [];
    for (let offset = 0; ; offset += descriptorPageSize) {
      const response = await this.call(
        `/api/v2/metrics/descriptors?limit=${descriptorPageSize}&offset=${offset}`,
        { method: 'GET' },
        signal,
      );
      const page = this.parse(response, descriptorPage, 'metric descriptor list');
      all.push(...page.metricDescriptors);
      const total = page.total ?? 0;
      if (page.metricDescriptors.length < descriptorPageSize || all.length >= total) return all;
    }
  }

  private parse<T>(response: UpstreamResponse, schema: z.ZodType<T>, what: string): T {
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch (error) {
      throw serviceUnavailable(`Sysdig answered a ${what} that is not JSON`, error);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw serviceUnavailable(`Sysdig answered a malformed ${what}: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }

  private async call(
    path: string,
    init: { method: 'GET' | 'POST'; json?: unknown },
    signal?: AbortSignal,
  ): Promise<UpstreamResponse> {
    const deadline = Date.now() + this.options.timeoutMs;
    let backoff = this.options.backoffMs ?? 200;
    for (;;) {
      const left = deadline - Date.now();
      let response: UpstreamResponse;
      try {
        response = await this.options.http.request(path, {
          ...init,
          timeoutMs: Math.max(left, 1),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        // NB: the detail (address, TLS error) goes to the log through `cause`, never the token.
        throw serviceUnavailable(`the Sysdig API is unavailable: ${(error as Error).message}`, error);
      }
      if (response.status >= 200 && response.status < 300) return response;
      if (response.status === 401 || response.status === 403) throw new SysdigAuthError(response.status);
      const detail = errorMessage(response.body);
      const why = `the Sysdig API answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
      const wait = retryAfterMs(response) ?? backoff;
      if (!retryable.has(response.status) || Date.now() + wait >= deadline || signal?.aborted) {
        const tail = retryable.has(response.status)
          ? ` (gave up within the ${this.options.timeoutMs} ms deadline)`
          : '';
        throw serviceUnavailable(`${why}${tail}`);
      }
      await sleep(wait, undefined, signal ? { signal } : {}).catch(() => undefined);
      backoff *= 2;
    }
  }
}
