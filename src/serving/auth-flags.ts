/**
 * The authentication and authorization flags of `serve`, named as custom-metrics-apiserver (the
 * generic apiserver's delegating options) names them. Lists take commas or repeated flags.
 * @module
 */
import { type Command, InvalidArgumentError } from 'commander';
import {
  AuthConfigError,
  createDelegatedAuth,
  delegatedAuthRequested,
  type DelegatedAuth,
  type DelegatedAuthOptions,
} from '../auth/index.js';
import { parseDuration } from '../duration/index.js';
import type { Logger } from '../log/index.js';
import { CliError } from './cli-error.js';

export interface AuthFlags {
  readonly requestheaderClientCaFile?: string;
  readonly requestheaderAllowedNames?: string[];
  readonly requestheaderUsernameHeaders?: string[];
  readonly requestheaderUidHeaders?: string[];
  readonly requestheaderGroupHeaders?: string[];
  readonly requestheaderExtraHeadersPrefix?: string[];
  readonly clientCaFile?: string;
  readonly authenticationKubeconfig?: string;
  readonly authorizationKubeconfig?: string;
  readonly authenticationSkipLookup?: boolean;
  readonly authenticationTokenWebhookCacheTtl?: number;
  readonly authorizationWebhookCacheAuthorizedTtl?: number;
  readonly authorizationWebhookCacheUnauthorizedTtl?: number;
  readonly authorizationAlwaysAllowPaths?: string[];
}

/** pflag StringSlice: `a,b` and repeating the flag both add; an empty value gives an empty list. */
function list(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

function duration(text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

export function addAuthFlags(command: Command): Command {
  return command
    .option(
      '--requestheader-client-ca-file <file>',
      'CA bundle that signs the front proxy (aggregator) client certificate; without it and without --authentication-skip-lookup it is read from the cluster',
    )
    .option(
      '--requestheader-allowed-names <names>',
      'front proxy certificate CNs to accept (comma-separated; empty: any CN the CA signed)',
      list,
    )
    .option('--requestheader-username-headers <headers>', 'headers holding the user name (default X-Remote-User)', list)
    .option('--requestheader-uid-headers <headers>', 'headers holding the user UID', list)
    .option('--requestheader-group-headers <headers>', 'headers holding the groups (default X-Remote-Group)', list)
    .option(
      '--requestheader-extra-headers-prefix <prefixes>',
      'header prefixes for extra user attributes (default X-Remote-Extra-)',
      list,
    )
    .option('--client-ca-file <file>', 'CA bundle for client certificate users (CN is the user, O the groups)')
    .option(
      '--authentication-kubeconfig <file>',
      'kubeconfig for TokenReviews and the extension-apiserver-authentication ConfigMap (default: in-cluster)',
    )
    .option('--authorization-kubeconfig <file>', 'kubeconfig for SubjectAccessReviews (default: in-cluster)')
    .option('--authentication-skip-lookup', 'do not read kube-system/extension-apiserver-authentication')
    .option(
      '--authentication-token-webhook-cache-ttl <duration>',
      'how long TokenReview answers are cached (default 10s)',
      duration,
    )
    .option(
      '--authorization-webhook-cache-authorized-ttl <duration>',
      "how long 'allowed' SubjectAccessReview answers are cached (default 10s)",
      duration,
    )
    .option(
      '--authorization-webhook-cache-unauthorized-ttl <duration>',
      "how long 'denied' SubjectAccessReview answers are cached (default 10s)",
      duration,
    )
    .option(
      '--authorization-always-allow-paths <paths>',
      'paths served without authorization; a trailing * matches a prefix (default /healthz,/readyz,/livez)',
      list,
    );
}

/** The flags as createDelegatedAuth options. */
export function delegatedAuthOptions(flags: AuthFlags): DelegatedAuthOptions {
  const defined = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    ...defined('requestheaderClientCaFile', flags.requestheaderClientCaFile),
    ...defined('requestheaderAllowedNames', flags.requestheaderAllowedNames),
    ...defined('requestheaderUsernameHeaders', flags.requestheaderUsernameHeaders),
    ...defined('requestheaderUidHeaders', flags.requestheaderUidHeaders),
    ...defined('requestheaderGroupHeaders', flags.requestheaderGroupHeaders),
    ...defined('requestheaderExtraHeadersPrefix', flags.requestheaderExtraHeadersPrefix),
    ...defined('clientCaFile', flags.clientCaFile),
    ...defined('authenticationKubeconfig', flags.authenticationKubeconfig),
    ...defined('authorizationKubeconfig', flags.authorizationKubeconfig),
    authenticationSkipLookup: flags.authenticationSkipLookup === true,
    ...defined('authenticationTokenWebhookCacheTtlMs', flags.authenticationTokenWebhookCacheTtl),
    ...defined('authorizationWebhookCacheAuthorizedTtlMs', flags.authorizationWebhookCacheAuthorizedTtl),
    ...defined('authorizationWebhookCacheUnauthorizedTtlMs', flags.authorizationWebhookCacheUnauthorizedTtl),
    ...defined('authorizationAlwaysAllowPaths', flags.authorizationAlwaysAllowPaths),
  };
}

/** Whether the flags (or a Pod's ServiceAccount) turn authentication on. */
export function authRequested(flags: AuthFlags): boolean {
  return delegatedAuthRequested(delegatedAuthOptions(flags));
}

/** The delegating guard the flags ask for, or undefined when none; a mistake is a CliError. */
export async function createAuthFromFlags(flags: AuthFlags, logger: Logger): Promise<DelegatedAuth | undefined> {
  try {
    return await createDelegatedAuth(delegatedAuthOptions(flags), logger);
  } catch (error) {
    if (error instanceof AuthConfigError) throw new CliError(error.message);
    throw error;
  }
}
