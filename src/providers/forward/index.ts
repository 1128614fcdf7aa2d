/**
 * The `forward` back end: another metrics API server (KEDA, prometheus-adapter, another
 * metrics-adapter) served through this one, so a cluster registers one APIService and keeps them all.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { durationString, parseDuration } from '../../duration/index.js';
import type { Backend, BackendFactory } from '../backend.js';
import { ForwardProvider } from './forward-provider.js';
import { createUpstreamClient } from '../http/upstream-client.js';

const configSchema = z
  .object({
    /** The other server, `https://keda-operator-metrics-apiserver.keda:443`. */
    url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }),
    /** PEM CA that signed the other server's certificate (a Service's own CA, usually). */
    caFile: z.string().min(1).optional(),
    /** A client certificate and key the other server trusts (its requestheader or client CA). */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** A bearer token, re-read on every request (a projected ServiceAccount token rotates). */
    tokenFile: z.string().min(1).optional(),
    /** How long one request may take before the metric answers 503. */
    timeout: durationString.default('5s'),
    /** How often the other server's metric list is read again. */
    discoveryInterval: durationString.default('30s'),
  })
  .strict()
  .refine((c) => (c.certFile === undefined) === (c.keyFile === undefined), {
    message: 'certFile and keyFile go together',
    path: ['certFile'],
  });

export type ForwardBackendConfig = z.infer<typeof configSchema>;

async function readPem(file: string | undefined, what: string): Promise<string | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

const forwardBackend: BackendFactory<ForwardBackendConfig> = {
  name: 'forward',
  description: 'another metrics API server (KEDA, prometheus-adapter, ...) served through this one',
  configSchema,
  flags: [
    {
      name: 'forward-url',
      value: '<url>',
      description: 'https URL of the metrics API server to forward to',
      configKey: 'url',
    },
    {
      name: 'forward-ca-file',
      value: '<file>',
      description: 'CA that signed its serving certificate',
      configKey: 'caFile',
    },
    {
      name: 'forward-cert-file',
      value: '<file>',
      description: 'client certificate to present to it',
      configKey: 'certFile',
    },
    { name: 'forward-key-file', value: '<file>', description: 'key of --forward-cert-file', configKey: 'keyFile' },
    {
      name: 'forward-token-file',
      value: '<file>',
      description: 'bearer token to send it, re-read on every request',
      configKey: 'tokenFile',
    },
  ],
  async create(config, _flags, deps): Promise<Backend> {
    const [ca, cert, key] = await Promise.all([
      readPem(config.caFile, 'CA file'),
      readPem(config.certFile, 'certificate file'),
      readPem(config.keyFile, 'key file'),
    ]);
    const tokenFile = config.tokenFile;
    if (tokenFile !== undefined) await readPem(tokenFile, 'token file');
    const client = createUpstreamClient({
      url: config.url,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(tokenFile !== undefined ? { token: () => readFile(tokenFile, 'utf8') } : {}),
      timeoutMs: parseDuration(config.timeout),
      userAgent: 'metrics-adapter-forward',
    });
    const provider = new ForwardProvider({ client, url: config.url, logger: deps.logger });
    await provider.refreshDiscovery();
    const timer = setInterval(() => void provider.refreshDiscovery(), parseDuration(config.discoveryInterval));
    timer.unref();
    return {
      custom: provider,
      external: provider,
      readiness: () => provider.readiness(),
      async close() {
        clearInterval(timer);
        client.close();
      },
    };
  },
};

export default forwardBackend;
