/**
 * The `serve` flags, named like custom-metrics-apiserver's where one exists. Exported so a user's
 * own adapter binary takes the same flags (the counterpart of AdapterBase's flag set).
 * @module
 */
import { isIP } from 'node:net';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../duration/index.js';
import type { BackendFactory } from '../providers/backend.js';
import { backendNames } from '../providers/registry.js';
import { addAuthFlags, type AuthFlags } from './auth-flags.js';
import { addBackendFlags } from './backend-flags.js';

/** The flags every adapter binary takes: address, TLS, auth, logging. */
export interface ServingFlags extends AuthFlags {
  readonly securePort: number;
  readonly bindAddress: string;
  readonly certDir: string;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  readonly insecureDisableAuth: boolean;
  readonly logFormat: 'text' | 'json';
  readonly v: number;
}

/** The flags of `metrics-adapter serve`: the serving flags plus the back-end choice. */
export interface ServeFlags extends ServingFlags {
  /** undefined when neither the flag nor the config file names one (then: memory). */
  readonly backend?: string;
  readonly config?: string;
  readonly metricTtl?: number;
  /** A kubeconfig for the object lister and RESTMapper; without it, the in-cluster ServiceAccount when in a pod. */
  readonly kubeconfig?: string;
  /** `--informer-idle-timeout` in milliseconds: an object cache unused this long is dropped. */
  readonly informerIdleTimeout: number;
}

export interface AddServeFlagsOptions {
  /** Add `--backend`, `--config` and `--metric-ttl`; default true. A library adapter brings its own providers, so it passes false. */
  readonly backendFlags?: boolean;
  /** Back ends whose own flags to add, such as `--forward-url` (`loadAllBackends()` gives the built-in ones). */
  readonly backendFactories?: readonly BackendFactory<unknown>[];
}

function port(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 0 || value > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535.');
  return value;
}

function ipAddress(text: string): string {
  if (isIP(text) === 0) throw new InvalidArgumentError('must be an IP address such as 127.0.0.1, 0.0.0.0 or ::.');
  return text;
}

function verbosity(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value > 10) throw new InvalidArgumentError('must be a number from 0 to 10.');
  return value;
}

function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** Adds the serve flags to a commander command: a user's own binary gets the same flags as `metrics-adapter serve`. */
export function addServeFlags(command: Command, options: AddServeFlagsOptions = {}): Command {
  command
    .option('--secure-port <port>', 'the port to serve HTTPS on', port, 6443)
    .option('--bind-address <ip>', 'the IP address to listen on (0.0.0.0 or :: for all)', ipAddress, '127.0.0.1')
    .option('--cert-dir <dir>', 'where the self-signed CA and serving certificate are kept when no --tls-cert-file is given', '.certs')
    .option('--tls-cert-file <file>', 'serving certificate (PEM, chain allowed); needs --tls-private-key-file')
    .option('--tls-private-key-file <file>', 'private key of --tls-cert-file (PEM)');
  if (options.backendFlags !== false) {
    command
      .addOption(new Option('--backend <name>', 'where metric values come from (default: memory)').choices(backendNames))
      .option('--config <file>', 'YAML config file: `backend` and one section per back end, or `backends` and `routes`')
      .option('--metric-ttl <duration>', 'drop written values not updated for this long, e.g. 10m (memory and redis back ends)', duration)
      .option('--kubeconfig <file>', 'kubeconfig of the cluster whose objects answer label selectors (default: the in-cluster service account in a pod, else none)')
      .addOption(new Option('--informer-idle-timeout <duration>', 'drop the object cache of a resource not queried for this long').argParser(duration).default(15 * 60_000, '15m'));
    addBackendFlags(command, options.backendFactories ?? []);
  }
  command
    .option('--insecure-disable-auth', 'serve without authentication on a non-loopback address (anyone reaching the port can read and write metrics)', false)
    .addOption(new Option('--log-format <format>', 'log line format').choices(['text', 'json']).default('text'))
    .option('-v, --v <level>', 'log verbosity: 2 logs every request, 4 adds debug lines', verbosity, 0);
  return addAuthFlags(command);
}

/** klog writes `-v=2`; commander reads a short flag's `=` as part of the value, so spell it long. */
export function normalizeKlogArgs(argv: readonly string[]): string[] {
  return argv.map((arg) => (arg.startsWith('-v=') ? `--v=${arg.slice(3)}` : arg));
}
