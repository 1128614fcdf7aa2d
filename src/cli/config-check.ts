/**
 * `metrics-adapter config check FILE [--prometheus-url URL]`: checks a config (one back end or `backends:`) or a
 * prometheus-adapter rules file as `serve` would, then runs each back end's own `configCheck` (the Prometheus back
 * end tries every rule against Prometheus when it has a URL).
 * @module
 */
import type { Command } from 'commander';
import type { BackendFactory } from '../providers/backend.js';
import { loadAllBackends, loadBackend } from '../providers/registry.js';
import { isRoutingConfig, parseRoutingConfig } from '../routing/routing-config.js';
import { backendConfigFrom, backendFlagsGiven, addBackendFlags } from './backend-flags.js';
import { CliError } from '../serving/cli-error.js';
import { readConfigFile, validateConfig, type ConfigSource } from './config-file.js';
import { backendSectionOf, ingestSectionOf } from './config-sections.js';

/** Adds `config check` to `program`. */
export function addConfigCommand(program: Command, factories: readonly BackendFactory<unknown>[]): Command {
  const config = program
    .command('config')
    .description('work with config files')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  addBackendFlags(
    config
      .command('check <file>')
      .description(
        'check a config file or a prometheus-adapter rules file; with --prometheus-url, try each rule against Prometheus',
      )
      .option('--backend <name>', 'the back end the file is for (default: its backend key, else prometheus)')
      .exitOverride()
      .configureOutput({ outputError: () => undefined }),
    // NB: the flags of the back ends that check against an upstream, so the upstream can be named here.
    factories.filter((factory) => factory.configCheck !== undefined),
  ).action(async (file: string, flags: Record<string, unknown>) => {
    const ok = await checkConfig(file, flags, (line) => process.stdout.write(`${line}\n`));
    if (!ok) throw new CliError('some checks against a back end failed (see above)', 1);
  });
  return config;
}

/**
 * Prints what it finds through `print`; resolves false when a live check failed. Throws CliError for an invalid file.
 */
export async function checkConfig(
  file: string,
  flags: Record<string, unknown>,
  print: (line: string) => void,
): Promise<boolean> {
  const source = await readConfigFile(file);
  const data = source.data as Record<string, unknown>;
  const factories = await loadAllBackends();
  if (isRoutingConfig(data)) return checkRoutingConfig(file, source, factories, flags, print);
  const chosen =
    (flags.backend as string | undefined) ?? (typeof data.backend === 'string' ? data.backend : 'prometheus');
  const { backendName, section, source: located } = backendSectionOf(source, factories, chosen);
  const factory = await loadBackend(backendName);
  const check = factory.configCheck;
  let live = true;
  let checked: unknown;
  try {
    checked = backendConfigFrom(factory, factories, flags, located, section);
  } catch (error) {
    // NB: a setting the file leaves to the command line (the server URL) is not the file's mistake: check the
    // rest with a stand-in, and without asking the upstream. A mistake of the file's own fails here again.
    if (check?.standIns === undefined) throw error;
    checked = backendConfigFrom(factory, factories, { ...check.standIns, ...flags }, located, section);
    live = false;
  }
  ingestSectionOf(source);
  if (check === undefined) {
    print(`${file}: valid for the ${backendName} back end`);
    return true;
  }
  return check.run(file, checked, live, print);
}

/**
 * The multi-back-end form (`backends:`), parsed exactly as `serve --config` parses it; each
 * prometheus back end's rules are then checked as a single file's are, live when its entry has a url.
 */
async function checkRoutingConfig(
  file: string,
  source: ConfigSource,
  factories: readonly BackendFactory<unknown>[],
  flags: Record<string, unknown>,
  print: (line: string) => void,
): Promise<boolean> {
  if (flags.backend !== undefined)
    throw new CliError(
      `--backend cannot be used with a config file that lists backends (${file}); each entry names its kind`,
    );
  const given = backendFlagsGiven(factories, flags);
  if (given !== undefined)
    throw new CliError(
      `${given} cannot be used with a config file that lists backends (${file}); set it in that back end's entry`,
    );
  const spec = parseRoutingConfig(
    source.data,
    (schema, value, path) => validateConfig(source, schema, value, path),
    factories,
  );
  const names = spec.backends.map((b) => `${b.name} (${b.factory.name})`).join(', ');
  print(
    `${file}: valid: ${plural(spec.backends.length, 'back end')}: ${names}; ${plural(spec.routes.length, 'route')}, ${plural(spec.freshness.length, 'freshness rule')}`,
  );
  let ok = true;
  for (const backend of spec.backends) {
    // NB: an entry holds all its settings (the schema requires them), so each is checked live.
    const check = backend.factory.configCheck;
    if (check !== undefined) ok = (await check.run(`backends.${backend.name}`, backend.config, true, print)) && ok;
  }
  return ok;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
