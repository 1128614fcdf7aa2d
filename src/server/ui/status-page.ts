/**
 * The status page at `/ui`: GET renders the page, POST `/ui/explain` runs the explainer against this
 * process's providers (no network) and renders the page with the answer, and `GET /debug/metrics`
 * serves the page's data as JSON. Its routes sit behind the same front door as every API request.
 * @module
 */
import { unsupportedMediaType } from '../../api/errors.js';
import { ExplainInputError, explainHpa } from '../../hpa/explain.js';
import { formatExplanationText } from '../../hpa/format-explanation.js';
import { InvalidHistoryError, parseHistory } from '../../hpa/history.js';
import { InvalidHpaError, parseHpa } from '../../hpa/parse-hpa.js';
import type { ResourceMapper } from '../../kube/resource-mapper.js';
import type { MetricQueryView } from '../../metric-queries/status-of.js';
import type { BackendHealth, Readiness } from '../../providers/health.js';
import type { CustomMetricsProvider, ExternalMetricsProvider } from '../../providers/provider.js';
import { InvalidSelectorError } from '../../selector/index.js';
import { createMetricsApi } from '../metrics-api.js';
import { writeBodyLimit } from '../error-handling.js';
import { jsonAnswer, mediaTypeOf, type Answer } from '../exchange.js';
import { readMethods, type Routes } from '../routes.js';
import type { RequestCount } from '../self-metrics.js';
import { createInProcessFetcher } from './in-process-fetcher.js';
import { takeSnapshot } from './metric-snapshot.js';
import { renderPage, type ExplainView, type StatusModel } from './render-page.js';
import { createSampler, defaultSamplerOptions, type SamplerOptions } from './sampler.js';
import { formatStatusJson } from './status-json.js';

export interface StatusPageOptions {
  readonly custom?: CustomMetricsProvider;
  readonly external?: ExternalMetricsProvider;
  readonly readiness?: () => Readiness;
  /** Each back end of a routing config, shown in a table of its own. */
  readonly backendHealth?: () => readonly BackendHealth[];
  /** MetricQuery objects, shown in a table of their own. */
  readonly metricQueries?: () => readonly MetricQueryView[];
  readonly resourceMapper: ResourceMapper;
  readonly requestCounts: () => readonly RequestCount[];
  readonly sampler?: Partial<SamplerOptions>;
}

/**
 * NB: inline style and script only, nothing from elsewhere: the cluster may have no internet, and the page must not
 * load foreign code.
 */
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

/** Starts and stops the background sampling of the plots. */
export interface StatusPageLifecycle {
  start(): Promise<void>;
  stop(): void;
}

export function addStatusPageRoutes(routes: Routes, options: StatusPageOptions): StatusPageLifecycle {
  const providers = {
    ...(options.custom ? { custom: options.custom } : {}),
    ...(options.external ? { external: options.external } : {}),
  };
  const fetcher = createInProcessFetcher(createMetricsApi({ ...providers, resourceMapper: options.resourceMapper }));
  const samplerOptions = { ...defaultSamplerOptions, ...options.sampler };
  const snapshot = () => takeSnapshot(providers);
  const sampler = createSampler(snapshot, options.requestCounts, samplerOptions);

  async function collect(): Promise<StatusModel> {
    const metrics = await snapshot();
    sampler.observe(metrics, 1000);
    return {
      now: Date.now(),
      readiness: options.readiness?.() ?? { ready: true },
      ...(options.backendHealth ? { backends: options.backendHealth() } : {}),
      ...(options.metricQueries ? { metricQueries: options.metricQueries() } : {}),
      metrics,
      windowMs: samplerOptions.windowMs,
      requests: { ...sampler.requestRate(), counts: options.requestCounts() },
    };
  }

  async function page(code: number, explain?: ExplainView): Promise<Answer> {
    const html = renderPage({
      ...(await collect()),
      history: (key) => sampler.history(key),
      ...(explain ? { explain } : {}),
    });
    return { code, body: html, headers: { ...securityHeaders, 'content-type': 'text/html; charset=utf-8' } };
  }

  routes.add(readMethods, '/ui', () => page(200));
  routes.add(readMethods, '/debug/metrics', async (exchange) =>
    jsonAnswer(exchange, 200, JSON.stringify(formatStatusJson(await collect())), { 'cache-control': 'no-store' }),
  );
  routes.add(readMethods, '/ui/', () => ({ code: 302, headers: { location: '/ui' } }));
  routes.add('POST', '/ui/explain', async (exchange) => {
    // NB: the page's form posts urlencoded; nothing else is a form.
    if (mediaTypeOf(exchange.request.headers['content-type']) !== 'application/x-www-form-urlencoded')
      throw unsupportedMediaType(['application/x-www-form-urlencoded']);
    const form = new URLSearchParams((await exchange.body(writeBodyLimit))?.toString('utf8') ?? '');
    const view = {
      yaml: form.get('yaml') ?? '',
      currentReplicas: (form.get('currentReplicas') ?? '').trim(),
      selector: (form.get('selector') ?? '').trim(),
      history: form.get('history') ?? '',
    };
    try {
      if (view.currentReplicas !== '' && !/^\d+$/.test(view.currentReplicas))
        throw new ExplainInputError('current replicas must be a whole number');
      const hpa = parseHpa(view.yaml, 'the manifest');
      const history =
        view.history.trim() === '' ? undefined : parseHistory(view.history, 'the history', { clock: Date.now() });
      const explanation = await explainHpa(hpa, fetcher, {
        resourceMapper: options.resourceMapper,
        ...(view.currentReplicas !== '' ? { currentReplicas: Number(view.currentReplicas) } : {}),
        ...(view.selector !== '' ? { podSelector: view.selector } : {}),
        ...(history !== undefined ? { history } : {}),
      });
      const d = explanation.decision;
      const summary = `${d.currentReplicas} → ${d.desiredReplicas} replicas (${d.rescale ? 'rescale' : 'no change'}), bounded by ${d.rule}`;
      return await page(200, { ...view, text: formatExplanationText(explanation), summary });
    } catch (error) {
      if (
        error instanceof InvalidHpaError ||
        error instanceof ExplainInputError ||
        error instanceof InvalidSelectorError ||
        error instanceof InvalidHistoryError
      ) {
        return page(400, { ...view, error: error.message });
      }
      throw error;
    }
  });

  return {
    async start() {
      if (samplerOptions.intervalMs <= 0) return;
      sampler.start();
      await sampler.sample();
    },
    stop: () => sampler.stop(),
  };
}
