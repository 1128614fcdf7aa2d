/**
 * `metrics-adapter explain hpa NAME` / `explain -f hpa.yaml`: why an HPA does or does not scale. Reads
 * the HPA, its target's scale and pods from the cluster (or the HPA from a file), fetches each metric
 * (directly from the adapter, or through the cluster's aggregator) exactly as the HPA controller would,
 * and prints the calculation of spec §8 step by step.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { explainHpa, ExplainInputError, type ExplainOptions, type MetricsFetcher } from '../hpa/explain.js';
import { explanationToJson, formatExplanationText } from '../hpa/format-explanation.js';
import { InvalidHistoryError, parseHistory, parseTime } from '../hpa/history.js';
import type { HorizontalPodAutoscaler } from '../hpa/hpa-schema.js';
import { InvalidHpaError, parseHpa } from '../hpa/parse-hpa.js';
import { ClusterReadError, listPods, readClusterState } from '../hpa/read-cluster.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { InvalidSelectorError, parseSelector } from '../selector/index.js';
import { CliError } from '../serving/cli-error.js';
import { createHttpFetcher } from './explain-fetcher.js';
import { hpaNameFromArgs } from './explain-target.js';
import { loadKubeconfig, type ApiServerConnection } from './kubeconfig.js';

interface ExplainFlags {
  readonly filename?: string;
  readonly currentReplicas?: number;
  readonly selector?: string;
  readonly namespace?: string;
  readonly server?: string;
  readonly certificateAuthority?: string;
  readonly kubeconfig?: string;
  readonly history?: string;
  readonly now?: number;
  readonly output: 'text' | 'json';
}

/** Where `serve` writes its kubeconfig by default (`--cert-dir .certs`): the adapter itself, for `-f`. */
const defaultKubeconfig = '.certs/kubeconfig';

function replicas(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 2_147_483_647)
    throw new InvalidArgumentError('must be a whole number of replicas.');
  return Number(text);
}

function time(text: string): number {
  const ms = parseTime(text);
  if (ms === undefined) throw new InvalidArgumentError('must be an RFC 3339 time such as 2025-06-01T12:00:00Z.');
  return ms;
}

/** kubectl's order: --kubeconfig, then the first file of $KUBECONFIG, then ~/.kube/config. */
function clusterKubeconfig(flags: ExplainFlags): string {
  if (flags.kubeconfig !== undefined) return flags.kubeconfig;
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).find((f) => f !== '');
  if (fromEnv !== undefined) return fromEnv;
  const home = join(homedir(), '.kube', 'config');
  if (existsSync(home)) return home;
  throw new CliError('say where the cluster is: --kubeconfig FILE (KUBECONFIG is unset and ~/.kube/config is missing)');
}

function connectionFor(flags: ExplainFlags, fromCluster: boolean): ApiServerConnection {
  if (flags.server !== undefined && flags.kubeconfig !== undefined)
    throw new CliError('pass either --server or --kubeconfig, not both');
  if (flags.server !== undefined) {
    let ca: string | undefined;
    if (flags.certificateAuthority !== undefined) {
      try {
        ca = readFileSync(flags.certificateAuthority, 'utf8');
      } catch (error) {
        throw new CliError(
          `cannot read --certificate-authority ${flags.certificateAuthority}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    }
    return { server: flags.server, ...(ca !== undefined ? { ca } : {}) };
  }
  if (fromCluster) return loadKubeconfig(clusterKubeconfig(flags));
  const file = flags.kubeconfig ?? (existsSync(defaultKubeconfig) ? defaultKubeconfig : undefined);
  if (file === undefined)
    throw new CliError(
      `say where the adapter is: --server URL --certificate-authority FILE, or --kubeconfig FILE (${defaultKubeconfig} is missing)`,
    );
  return loadKubeconfig(file);
}

async function readHistory(flags: ExplainFlags): Promise<ExplainOptions['history']> {
  if (flags.history === undefined) return flags.now !== undefined ? { now: flags.now } : undefined;
  let text: string;
  try {
    text = await readFile(flags.history, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read --history ${flags.history}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  return parseHistory(text, flags.history, {
    clock: Date.now(),
    ...(flags.now !== undefined ? { now: flags.now } : {}),
  });
}

/** The cluster path: HPA, scale and pods from the API server; --current-replicas and --selector still win. */
async function fromCluster(
  fetcher: MetricsFetcher,
  namespace: string,
  name: string,
  flags: ExplainFlags,
): Promise<{ hpa: HorizontalPodAutoscaler; options: Omit<ExplainOptions, 'history'> }> {
  const state = await readClusterState(fetcher, namespace, name);
  let selector = flags.selector ?? state.scale.selector;
  if (selector === '')
    throw new CliError(
      "ScalingActive=False InvalidSelector: the HPA target's scale is missing a selector (pass --selector to try one)",
    );
  try {
    selector = parseSelector(selector).toString();
  } catch (error) {
    const prefix =
      flags.selector !== undefined
        ? '--selector'
        : "ScalingActive=False InvalidSelector: couldn't convert selector into a corresponding internal selector object";
    throw new CliError(`${prefix}: ${(error as Error).message}`);
  }
  const pods = await listPods(fetcher, namespace, selector);
  return {
    hpa: state.hpa,
    options: {
      resourceMapper: state.resourceMapper,
      namespace,
      podSelector: selector,
      cluster: { scale: state.scale, podSelector: selector, pods },
      ...(flags.currentReplicas !== undefined ? { currentReplicas: flags.currentReplicas } : {}),
    },
  };
}

async function fromFile(
  filename: string,
  flags: ExplainFlags,
): Promise<{ hpa: HorizontalPodAutoscaler; options: Omit<ExplainOptions, 'history'> }> {
  let text: string;
  try {
    text = await readFile(filename, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${filename}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return {
    hpa: parseHpa(text, filename),
    options: {
      resourceMapper: createStaticResourceMapper(),
      ...(flags.currentReplicas !== undefined ? { currentReplicas: flags.currentReplicas } : {}),
      ...(flags.selector !== undefined ? { podSelector: flags.selector } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    },
  };
}

async function runExplain(args: readonly string[], flags: ExplainFlags): Promise<void> {
  let unreadable: string[] | undefined;
  const name = hpaNameFromArgs(args);
  if (name === undefined && flags.filename === undefined)
    throw new CliError('say which HPA: explain hpa NAME (from the cluster) or explain -f FILE');
  if (name !== undefined && flags.filename !== undefined)
    throw new CliError(`pass either an HPA name or -f FILE, not both`);
  try {
    const history = await readHistory(flags);
    const connection = connectionFor(flags, name !== undefined);
    const fetcher = createHttpFetcher(connection);
    const { hpa, options } =
      name !== undefined
        ? await fromCluster(fetcher, flags.namespace ?? connection.namespace ?? 'default', name, flags)
        : await fromFile(flags.filename!, flags);
    const explanation = await explainHpa(hpa, fetcher, { ...options, ...(history !== undefined ? { history } : {}) });
    process.stdout.write(
      flags.output === 'json'
        ? `${JSON.stringify(explanationToJson(explanation), null, 2)}\n`
        : formatExplanationText(explanation),
    );
    // NB: the explanation is printed whole (the HPA still decides on the metrics it could read), but a script
    // must see that a metric failed, as ScalingActive=False says to the controller.
    const failed = explanation.metrics.filter((m) => m.result?.rule === 'Invalid').map((m) => m.name);
    if (failed.length > 0) unreadable = failed;
  } catch (error) {
    if (error instanceof InvalidHpaError || error instanceof ExplainInputError || error instanceof InvalidHistoryError)
      throw new CliError(error.message);
    // NB: as kubectl, a missing or forbidden object is a failure at run time (exit 1), not a usage mistake.
    if (error instanceof ClusterReadError) throw new CliError(error.message, 1);
    if (error instanceof InvalidSelectorError) throw new CliError(`--selector: ${error.message}`);
    throw error;
  }
  if (unreadable !== undefined)
    throw new CliError(
      `could not compute ${unreadable.length === 1 ? 'metric' : 'metrics'} ${unreadable.join(', ')} (see above)`,
      1,
    );
}

/** Adds `explain` to the program. */
export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description(
      "explain an HPA's decision: read it (and its target's scale and pods) from the cluster or a file, fetch its metrics as the HPA controller does, and show the replica calculation",
    )
    .argument(
      '[hpa...]',
      'hpa NAME (or hpa/NAME, or NAME): read the HPA, its scale target and pods from the cluster of --kubeconfig',
    )
    .option(
      '-f, --filename <file>',
      'the autoscaling/v2 HorizontalPodAutoscaler (YAML or JSON, e.g. from kubectl get hpa -o yaml)',
    )
    .option(
      '--current-replicas <n>',
      "the target's current replica count (default: the scale's spec.replicas, or the manifest's status.currentReplicas)",
      replicas,
    )
    .option('--selector <labels>', "the target's pod selector (default: the scale's status.selector), e.g. app=web")
    .option(
      '-n, --namespace <namespace>',
      "the HPA's namespace (default: the kubeconfig context's, or the manifest's metadata.namespace, else default)",
    )
    .option(
      '--history <file>',
      "the controller's recent recommendations and scale events (YAML/JSON), for the stabilization windows and behavior policies",
    )
    .option(
      '--now <time>',
      "the time of the reconcile to explain, RFC 3339 (default: the history file's now, else the clock)",
      time,
    )
    .option('--server <url>', 'the adapter (or API server) URL, e.g. https://127.0.0.1:6443')
    .option('--certificate-authority <file>', 'CA certificate (PEM) that signed the --server certificate')
    .option(
      '--kubeconfig <file>',
      `the kubeconfig (with a name: default $KUBECONFIG, else ~/.kube/config; with -f: ${defaultKubeconfig} when it exists)`,
    )
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .action((args: string[], flags: ExplainFlags) => runExplain(args, flags));
}
