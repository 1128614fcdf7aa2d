/**
 * `metrics-adapter explain -f hpa.yaml`: why an HPA does or does not scale. Fetches each metric from the
 * adapter (directly, or through the cluster's aggregator with --kubeconfig) exactly as the HPA controller
 * would, and prints the calculation of spec §8 step by step.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Command, InvalidArgumentError, Option } from 'commander';
import { explainHpa, ExplainInputError, type MetricsFetcher } from '../hpa/explain.js';
import { explanationToJson, formatExplanationText } from '../hpa/format-explanation.js';
import { InvalidHpaError, parseHpa } from '../hpa/parse-hpa.js';
import { createStaticResourceMapper } from '../kube/static-resource-mapper.js';
import { InvalidSelectorError } from '../selector/index.js';
import { CliError } from './cli-error.js';
import { loadKubeconfig, type ApiServerConnection } from './kubeconfig.js';

interface ExplainFlags {
  readonly filename: string;
  readonly currentReplicas?: number;
  readonly selector?: string;
  readonly namespace?: string;
  readonly server?: string;
  readonly certificateAuthority?: string;
  readonly kubeconfig?: string;
  readonly output: 'text' | 'json';
}

/** Where `serve` writes its kubeconfig by default (`--cert-dir .certs`). */
const defaultKubeconfig = '.certs/kubeconfig';
const requestTimeoutMs = 10_000;

function replicas(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 2_147_483_647) throw new InvalidArgumentError('must be a whole number of replicas.');
  return Number(text);
}

function connectionFor(flags: ExplainFlags): ApiServerConnection {
  if (flags.server !== undefined && flags.kubeconfig !== undefined) throw new CliError('pass either --server or --kubeconfig, not both');
  if (flags.server !== undefined) {
    let ca: string | undefined;
    if (flags.certificateAuthority !== undefined) {
      try {
        ca = readFileSync(flags.certificateAuthority, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read --certificate-authority ${flags.certificateAuthority}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
    return { server: flags.server, ...(ca !== undefined ? { ca } : {}) };
  }
  const file = flags.kubeconfig ?? (existsSync(defaultKubeconfig) ? defaultKubeconfig : undefined);
  if (file === undefined) throw new CliError(`say where the adapter is: --server URL --certificate-authority FILE, or --kubeconfig FILE (${defaultKubeconfig} is missing)`);
  return loadKubeconfig(file);
}

/** GETs over HTTPS (or HTTP) as client-go would: JSON accepted, the configured CA, client certificate or token. */
export function createHttpFetcher(connection: ApiServerConnection): MetricsFetcher {
  let base: URL;
  try {
    base = new URL(connection.server);
  } catch {
    throw new CliError(`invalid server URL ${JSON.stringify(connection.server)}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new CliError(`invalid server URL ${connection.server}: must be https:// or http://`);
  const prefix = base.pathname.replace(/\/$/, '');
  return {
    get(url) {
      const target = new URL(`${prefix}${url}`, base);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const req = send(target, {
          method: 'GET',
          timeout: requestTimeoutMs,
          headers: {
            accept: 'application/json, */*',
            'user-agent': 'metrics-adapter-explain',
            ...(connection.authorization !== undefined ? { authorization: connection.authorization } : {}),
          },
          ...(connection.ca !== undefined ? { ca: connection.ca } : {}),
          ...(connection.cert !== undefined ? { cert: connection.cert } : {}),
          ...(connection.key !== undefined ? { key: connection.key } : {}),
          ...(connection.insecureSkipTlsVerify === true ? { rejectUnauthorized: false } : {}),
        }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`no answer from ${target.origin} in ${requestTimeoutMs / 1000}s`)));
        req.on('error', reject);
        req.end();
      });
    },
  };
}

async function runExplain(flags: ExplainFlags): Promise<void> {
  let text: string;
  try {
    text = await readFile(flags.filename, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${flags.filename}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const hpa = parseHpa(text, flags.filename);
    const fetcher = createHttpFetcher(connectionFor(flags));
    const explanation = await explainHpa(hpa, fetcher, {
      resourceMapper: createStaticResourceMapper(),
      ...(flags.currentReplicas !== undefined ? { currentReplicas: flags.currentReplicas } : {}),
      ...(flags.selector !== undefined ? { podSelector: flags.selector } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    });
    process.stdout.write(flags.output === 'json' ? `${JSON.stringify(explanationToJson(explanation), null, 2)}\n` : formatExplanationText(explanation));
  } catch (error) {
    if (error instanceof InvalidHpaError || error instanceof ExplainInputError) throw new CliError(error.message);
    if (error instanceof InvalidSelectorError) throw new CliError(`--selector: ${error.message}`);
    throw error;
  }
}

/** Adds `explain` to the program. */
export function registerExplainCommand(program: Command): void {
  program
    .command('explain')
    .description("explain an HPA's decision: fetch its metrics as the HPA controller does and show the replica calculation")
    .requiredOption('-f, --filename <file>', 'the autoscaling/v2 HorizontalPodAutoscaler (YAML or JSON, e.g. from kubectl get hpa -o yaml)')
    .option('--current-replicas <n>', "the target's current replica count (default: the manifest's status.currentReplicas)", replicas)
    .option('--selector <labels>', "the target's pod selector (scale.status.selector), sent as labelSelector of Pods metrics, e.g. app=web")
    .option('-n, --namespace <namespace>', "the HPA's namespace (default: metadata.namespace, else default)")
    .option('--server <url>', 'the adapter (or API server) URL, e.g. https://127.0.0.1:6443')
    .option('--certificate-authority <file>', 'CA certificate (PEM) that signed the --server certificate')
    .option('--kubeconfig <file>', `reach the metrics APIs through this kubeconfig's current context (default: ${defaultKubeconfig} when it exists)`)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .action(runExplain);
}
