/**
 * `metrics-adapter serve`: loads the config, builds the back end, sets up TLS and serves until
 * SIGTERM. Every mistake in flags, config or certificates ends here as one line and exit code 2.
 * @module
 */
import { createAdapter } from '../adapter.js';
import { KubeApiError, type KubeClient } from '../kube/kube-client.js';
import { createKubeDeps, type KubeDeps } from '../kube/kube-deps.js';
import { checkElectionTimings, defaultLeaseNamespace } from '../kube/leader-election.js';
import { createLogger, type Logger } from '../log/index.js';
import type { MetricQueryFeature, MetricQueryLeaderElection } from '../metric-queries/start-metric-queries.js';
import { CliError } from '../serving/cli-error.js';
import { checkBindAddress, listenAndAnnounce, prepareServing, type RunningAdapter } from '../serving/serve-setup.js';
import { planBackend, type RunningBackend } from './backend-plan.js';
import { readConfigFile } from './config-file.js';
import { ingestSectionOf } from './config-sections.js';
import type { ServeFlags } from './serve-flags.js';

export async function serve(
  flags: ServeFlags,
  logger: Logger = createLogger({ format: flags.logFormat, verbosity: flags.v }),
): Promise<RunningAdapter> {
  checkBindAddress(flags);
  electionTimings(flags);
  const config = flags.config === undefined ? undefined : await readConfigFile(flags.config);
  const plan = await planBackend(flags, config);
  const ingest = ingestSectionOf(config);
  // NB: everything the user gave is checked before the back end starts, so a mistake is the only line printed.
  const setup = await prepareServing(flags, logger);
  const kube = await connectCluster(flags, logger);
  const { resourceMapper } = kube;
  let running;
  try {
    running = await plan.start(
      { logger, resourceMapper, ...(kube.objectLister ? { objectLister: kube.objectLister } : {}) },
      logger,
    );
  } catch (error) {
    await kube.close();
    setup.auth?.close();
    throw error;
  }
  const metricQueries = await startMetricQueryFeature(flags, running, kube, logger);
  const backend = metricQueries?.backend ?? running.backend;
  const release = async () => {
    await metricQueries?.close();
    await running.close();
    await kube.close();
  };
  const adapter = createAdapter({
    ...(backend.custom ? { custom: backend.custom } : {}),
    ...(backend.external ? { external: backend.external } : {}),
    ...(backend.resource ? { resource: backend.resource } : {}),
    ...(backend.writer ? { writer: backend.writer, ...(ingest ? { ingest } : {}) } : {}),
    ...(backend.seriesCount ? { seriesCount: () => backend.seriesCount!() } : {}),
    selfMetricsText: () =>
      `${backend.selfMetrics?.() ?? ''}${running.reloader?.render() ?? ''}${metricQueries?.render() ?? ''}`,
    ...(backend.health ? { backendHealth: () => backend.health!() } : {}),
    ...(metricQueries ? { metricQueries: () => metricQueries.views() } : {}),
    resourceMapper,
    ...setup.serverOptions,
    readiness: setup.withAuthReadiness(() => backend.readiness()),
  });
  const served = {
    custom: backend.custom !== undefined,
    external: backend.external !== undefined,
    resource: backend.resource !== undefined,
  };
  return listenAndAnnounce(adapter, flags, setup, { backend: plan.label }, release, served);
}

/** MetricQuery objects in front of the back end, when a cluster is connected and `--metric-queries` is not false. */
async function startMetricQueryFeature(
  flags: ServeFlags,
  running: RunningBackend,
  kube: KubeDeps,
  logger: Logger,
): Promise<MetricQueryFeature | undefined> {
  if (flags.metricQueries === false || kube.client === undefined) return undefined;
  // NB: imported here: it loads client-node and the PromQL parser, which a standalone adapter never needs.
  const { startMetricQueries } = await import('../metric-queries/start-metric-queries.js');
  const leaderElection = leaderElectionOf(flags, kube.client);
  return startMetricQueries({
    ...(leaderElection !== undefined ? { leaderElection } : {}),
    client: kube.client,
    backend: running.backend,
    backends: (name) => running.named(name),
    backendsVersion: () => running.version(),
    mapper: kube.resourceMapper,
    logger,
    ...(kube.objectLister !== undefined ? { objectLister: kube.objectLister } : {}),
    ...(flags.metricQueryBackends !== undefined ? { allowedBackends: flags.metricQueryBackends } : {}),
    status: {
      ...(flags.metricQueryStatusWrites !== undefined ? { writesPerSecond: flags.metricQueryStatusWrites } : {}),
      ...(flags.metricQueryEvaluateInterval !== undefined
        ? { evaluateEveryMs: flags.metricQueryEvaluateInterval }
        : {}),
    },
  });
}

/** The Lease timings of the flags. Throws CliError when client-go would refuse them. */
function electionTimings(flags: ServeFlags) {
  const leaseDurationMs = flags.metricQueryLeaseDuration ?? 15_000;
  const renewDeadlineMs = flags.metricQueryRenewDeadline ?? 10_000;
  const retryPeriodMs = flags.metricQueryRetryPeriod ?? 2_000;
  const problem = checkElectionTimings(leaseDurationMs, renewDeadlineMs, retryPeriodMs);
  if (problem !== undefined)
    throw new CliError(
      `--metric-query-lease-duration, --metric-query-renew-deadline, --metric-query-retry-period: ${problem}`,
    );
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}

/** The Lease of `--metric-query-leader-elect`, or undefined when it is off. */
function leaderElectionOf(flags: ServeFlags, client: KubeClient): MetricQueryLeaderElection | undefined {
  if (flags.metricQueryLeaderElect === false) return undefined;
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = electionTimings(flags);
  const context = client.config.getContextObject(client.config.getCurrentContext());
  return {
    name: flags.metricQueryLeaseName ?? 'metrics-adapter-metric-queries',
    namespace: flags.metricQueryLeaseNamespace ?? defaultLeaseNamespace(context?.namespace),
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
  };
}

/** The cluster from --kubeconfig or the in-cluster ServiceAccount; standalone without either. */
async function connectCluster(flags: ServeFlags, logger: Logger): Promise<KubeDeps> {
  try {
    return await createKubeDeps({
      logger,
      informerIdleMs: flags.informerIdleTimeout,
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    });
  } catch (error) {
    if (error instanceof KubeApiError) throw new CliError(error.message);
    throw error;
  }
}
