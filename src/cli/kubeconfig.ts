/**
 * Just enough of a kubeconfig to reach an API server as kubectl would: the current context's server,
 * CA, client certificate or token. Read with `yaml` and zod rather than @kubernetes/client-node, which
 * `explain` would load for these few fields only.
 * @module
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { CliError } from '../serving/cli-error.js';

const kubeconfigSchema = z.object({
  'current-context': z.string().optional(),
  clusters: z
    .array(
      z.object({
        name: z.string(),
        cluster: z.object({
          server: z.string(),
          'certificate-authority': z.string().optional(),
          'certificate-authority-data': z.string().optional(),
          'insecure-skip-tls-verify': z.boolean().optional(),
        }),
      }),
    )
    .default([]),
  users: z
    .array(
      z.object({
        name: z.string(),
        user: z
          .object({
            token: z.string().optional(),
            tokenFile: z.string().optional(),
            'client-certificate': z.string().optional(),
            'client-certificate-data': z.string().optional(),
            'client-key': z.string().optional(),
            'client-key-data': z.string().optional(),
            username: z.string().optional(),
            password: z.string().optional(),
          })
          .nullable()
          .default({}),
      }),
    )
    .default([]),
  contexts: z
    .array(
      z.object({
        name: z.string(),
        context: z.object({ cluster: z.string(), user: z.string().optional(), namespace: z.string().optional() }),
      }),
    )
    .default([]),
});

export interface ApiServerConnection {
  readonly server: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly authorization?: string;
  readonly insecureSkipTlsVerify?: boolean;
  /** The current context's namespace, kubectl's default for `-n`. */
  readonly namespace?: string;
}

export function loadKubeconfig(file: string): ApiServerConnection {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new CliError(`${file}: invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = kubeconfigSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new CliError(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  const config = result.data;
  const contextName = config['current-context'];
  const context = config.contexts.find((c) => c.name === contextName)?.context;
  if (context === undefined)
    throw new CliError(`${file}: current-context ${JSON.stringify(contextName ?? '')} is not among the contexts`);
  const cluster = config.clusters.find((c) => c.name === context.cluster)?.cluster;
  if (cluster === undefined)
    throw new CliError(
      `${file}: cluster ${JSON.stringify(context.cluster)} of the current context is not among the clusters`,
    );
  const user = config.users.find((u) => u.name === context.user)?.user ?? {};
  const base = dirname(file);
  const fileOrData = (path: string | undefined, data: string | undefined): string | undefined => {
    if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
    if (path === undefined) return undefined;
    try {
      return readFileSync(resolve(base, path), 'utf8');
    } catch (error) {
      throw new CliError(
        `${file}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  };
  const ca = fileOrData(cluster['certificate-authority'], cluster['certificate-authority-data']);
  const cert = fileOrData(user['client-certificate'], user['client-certificate-data']);
  const key = fileOrData(user['client-key'], user['client-key-data']);
  const token = user.token ?? fileOrData(user.tokenFile, undefined)?.trim();
  // NB: a bare username (the kubeconfig `serve` writes) is sent as Basic credentials, as kubectl does; Kubernetes
  // ignores them.
  const authorization =
    token !== undefined
      ? `Bearer ${token}`
      : user.username !== undefined
        ? `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`
        : undefined;
  return {
    server: cluster.server,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(authorization !== undefined ? { authorization } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
    ...(context.namespace !== undefined && context.namespace !== '' ? { namespace: context.namespace } : {}),
  };
}
