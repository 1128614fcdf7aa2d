/**
 * The Prometheus-backed HPA pods query: a real Prometheus (the test helpers' one) scraping an exporter of 1000 pods'
 * counters, a counting proxy in front of it, and the built adapter with `--backend prometheus` and a rules file; the
 * query runs A/B against the ceiling; then a fixed batch of the same requests, and the PromQL queries for its selector
 * that the proxy saw divided by the requests answered, which must come to exactly 1.
 * @module
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startCountingProxy, type CountingProxy } from '../test/helpers/counting-proxy.js';
import { startExporter, type Exporter } from '../test/helpers/exporter.js';
import { findPrometheus, startPrometheus, type PrometheusProcess } from '../test/helpers/prometheus-process.js';
import { compareWithCeiling, rowLine, type LoadSettings, type Row, type Scenario } from './ab.js';
import { startAdapter, type Child } from './processes.js';
import { checkLine, type Check, type InfoRatio } from './report.js';
import { createBenchClient } from './seed.js';

const pods = 1000;
const podsPerApp = 100;
// NB: a full rate() window costs Prometheus the same on every round; 10 samples at the helper's 1s scrape interval.
const rateWindowSeconds = 10;
/** Requests per connection in the counted batch. */
const batchPerConnection = 20;

// The rule of docs/prometheus.md (prometheus-adapter's documented http_requests one), with a short window.
const rules = `rules:
- seriesQuery: '{__name__=~"^http_requests_total$",namespace!="",pod!=""}'
  resources:
    overrides:
      namespace: {resource: "namespace"}
      pod: {resource: "pod"}
  name: {matches: "^(.*)_total$", as: "\${1}_per_second"}
  metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[${rateWindowSeconds}s])) by (<<.GroupBy>>)'
`;

/** The PromQL label matcher the scenario's labelSelector becomes (the adapter sends GET, so it is in the URL). */
const selectorMatcher = 'app="web-4"';

export const prometheusScenario: Scenario = {
  name: `Prometheus-backed HPA Pods query (100 of ${pods / 1000}k pods, labelSelector)`,
  path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/bench/pods/%2A/http_requests_per_second?labelSelector=app%3Dweb-4',
};

export interface PrometheusResult extends Row {
  readonly pods: number;
  /** Requests in flight at a time in the counted batch. */
  readonly connections: number;
  /** PromQL queries with the scenario's selector during the counted batch. */
  readonly promqlQueries: number;
  /** Other PromQL queries in the meantime: the status page's sampler. */
  readonly otherQueries: number;
  readonly requestsAnswered: number;
  readonly queriesPerRequest: number;
}

export type PrometheusOutcome = { readonly skipped: string } | PrometheusResult;

/** PromQL's answer to `expr`, asked of Prometheus itself (not through the proxy, so it is not counted). */
async function promql(url: string, expr: string): Promise<number | undefined> {
  const body = (await (await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`)).json()) as {
    data?: { result?: { value: [number, string] }[] };
  };
  const value = body.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`Prometheus scenario: ${what} did not happen in 60s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Sends `count` requests for `path`, `concurrency` at a time, and waits for every answer; fails on any but a 200.
 * NB: counted here rather than during the timed runs, where the load generator drops the requests still in flight
 * when its time is up: the adapter has sent their queries, but nobody is left to receive their answers.
 */
async function batch(
  client: ReturnType<typeof createBenchClient>,
  path: string,
  count: number,
  concurrency: number,
): Promise<number> {
  let sent = 0;
  let answered = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      const answer = await client.send(path);
      if (answer.status !== 200)
        throw new Error(`Prometheus scenario: ${path} answered ${answer.status}: ${answer.body}`);
      answered++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answered;
}

export async function measurePrometheus(workDir: string, settings: LoadSettings): Promise<PrometheusOutcome> {
  const binary = await findPrometheus();
  if (binary === undefined) return { skipped: 'prometheus is not installed' };
  let exporter: Exporter | undefined;
  let prometheus: PrometheusProcess | undefined;
  let proxy: CountingProxy | undefined;
  let adapter: Child | undefined;
  let selectorQueries = 0;
  try {
    exporter = await startExporter(
      Array.from({ length: pods }, (_, i) => ({
        name: 'http_requests_total',
        type: 'counter' as const,
        value: (i % 97) + 1,
        labels: { namespace: 'bench', pod: `pod-${i}`, app: `web-${i % (pods / podsPerApp)}` },
      })),
    );
    prometheus = await startPrometheus(binary, [exporter.target]);
    const prometheusUrl = prometheus.url;
    // NB: discovery lists the series once at start; wait until they are all there, and the rate window is full.
    await until(
      `${pods} series with a full ${rateWindowSeconds}s window`,
      async () =>
        (await promql(
          prometheusUrl,
          `count(count_over_time(http_requests_total[${rateWindowSeconds}s]) >= ${rateWindowSeconds})`,
        )) === pods,
    );
    // NB: the status page's sampler also queries each metric every 10s; only queries with the scenario's selector
    // count.
    proxy = await startCountingProxy(prometheusUrl, {
      onRequest: (url) => {
        if (url.pathname === '/api/v1/query' && url.searchParams.get('query')?.includes(selectorMatcher) === true)
          selectorQueries++;
      },
    });
    const rulesFile = join(workDir, 'prometheus-rules.yaml');
    await writeFile(rulesFile, rules);
    const certDir = join(workDir, 'certs-prometheus');
    adapter = await startAdapter(certDir, [
      '--backend',
      'prometheus',
      '--config',
      rulesFile,
      '--prometheus-url',
      proxy.url,
    ]);
    const ca = await readFile(join(certDir, 'ca.crt'), 'utf8');
    const client = createBenchClient(adapter.url, ca);
    try {
      await until('the adapter answering for 100 pods', async () => {
        const answer = await client.send(prometheusScenario.path);
        return answer.status === 200 && (JSON.parse(answer.body) as { items: unknown[] }).items.length === podsPerApp;
      });
      const row = await compareWithCeiling(
        { url: adapter.url, ca, certDir, client },
        prometheusScenario,
        settings,
        join(workDir, 'answer-prometheus.json'),
      );
      const [queriesBefore, allBefore] = [selectorQueries, proxy.count('/api/v1/query')];
      const requestsAnswered = await batch(
        client,
        prometheusScenario.path,
        settings.connections * batchPerConnection,
        settings.connections,
      );
      const promqlQueries = selectorQueries - queriesBefore;
      const otherQueries = proxy.count('/api/v1/query') - allBefore - promqlQueries;
      return {
        ...row,
        pods,
        connections: settings.connections,
        promqlQueries,
        otherQueries,
        requestsAnswered,
        queriesPerRequest: Number((promqlQueries / requestsAnswered).toFixed(4)),
      };
    } finally {
      client.close();
    }
  } finally {
    await adapter?.stop();
    await proxy?.close();
    await prometheus?.close();
    await exporter?.close();
  }
}

export interface PrometheusReport {
  /** The row in latest.md's table, or none when skipped. */
  readonly rows: readonly string[];
  readonly checks: readonly Check[];
  /** The bars of latest.svg with no target. */
  readonly info: readonly InfoRatio[];
  /** The paragraph under latest.md's table. */
  readonly paragraph: string;
  readonly stdout: readonly string[];
}

export function reportPrometheus(outcome: PrometheusOutcome): PrometheusReport {
  if ('skipped' in outcome) {
    const line = `${prometheusScenario.name}: skipped (${outcome.skipped}).`;
    return {
      rows: [],
      checks: [],
      info: [],
      paragraph: line,
      stdout: [`SKIP  ${prometheusScenario.name}: ${outcome.skipped}`],
    };
  }
  const check: Check = {
    name: 'PromQL queries per Prometheus-backed request',
    value: outcome.queriesPerRequest,
    target: 1,
    kind: 'exactly',
    unit: 'queries/request',
  };
  const paragraph = [
    `${prometheusScenario.name}: ${outcome.adapter.rps} req/s, p50 / p99 ${outcome.adapter.p50.toFixed(1)} / ${outcome.adapter.p99.toFixed(1)} ms,`,
    `from a real Prometheus scraping ${outcome.pods} pods' counters every second, through a counting proxy, with a rate() rule.`,
    `Then a batch of ${outcome.requestsAnswered} requests, ${outcome.connections} at a time, all answered, sent ${outcome.promqlQueries} PromQL queries`,
    `(and the status page's 10s sampler ${outcome.otherQueries} of its own):`,
    `**${outcome.queriesPerRequest.toFixed(2)} per request** (target =1: ${checkLine(check).slice(0, 4)}).`,
    `Its ratio to the ceiling (${outcome.ratio.toFixed(2)}×, no target) mostly measures Prometheus, which evaluates one query per request;`,
    "the adapter's own cost is what the memory-backend rows show.",
  ].join('\n');
  return {
    rows: [rowLine(outcome)],
    checks: [check],
    info: [
      {
        name: 'Prometheus-backed HPA Pods query',
        value: outcome.ratio,
        note: `no target (measures Prometheus); ${outcome.queriesPerRequest} PromQL query/request`,
      },
    ],
    paragraph,
    stdout: [
      `INFO  ${prometheusScenario.name}: ${outcome.ratio.toFixed(2)}× the ceiling, no target (measures Prometheus)  [adapter ${outcome.adapter.rps} req/s, p50/p99 ${outcome.adapter.p50}/${outcome.adapter.p99} ms, ${outcome.adapter.errors} errors; ceiling ${outcome.ceiling.rps} req/s]`,
      `${checkLine(check)}  [${outcome.promqlQueries} queries for ${outcome.requestsAnswered} requests]`,
    ],
  };
}
