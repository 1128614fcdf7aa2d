/**
 * Back-end flags (`--prometheus-url`, `--redis-url`, ...): each factory declares its own, the CLI adds them to
 * `serve`, and their values are written into the chosen back end's config section, so a flag and a config key are
 * one setting with one validation.
 * @module
 */
import type { Command } from 'commander';
import type { BackendFactory } from '../providers/backend.js';
import type { BackendFlag } from '../providers/backend-flag.js';
import { CliError } from '../serving/cli-error.js';
import { validateConfig, type ConfigSource } from './config-file.js';

/** Commander's property for `--some-flag`: `someFlag`. */
function optionKey(flag: BackendFlag): string {
  return flag.name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

export function addBackendFlags(command: Command, factories: readonly BackendFactory<unknown>[]): Command {
  for (const factory of factories) {
    for (const flag of factory.flags ?? []) {
      const name = `--${flag.name}${flag.value === undefined ? '' : ` ${flag.value}`}`;
      const description = `${flag.description} (${factory.name} back end)`;
      if (flag.accumulate !== undefined) command.option(name, description, flag.accumulate);
      else command.option(name, description);
    }
  }
  return command;
}

/** The first back-end flag given, as `--name`, or undefined. */
export function backendFlagsGiven(factories: readonly BackendFactory<unknown>[], parsed: object): string | undefined {
  const values = parsed as Record<string, unknown>;
  for (const factory of factories) {
    for (const flag of factory.flags ?? []) if (values[optionKey(flag)] !== undefined) return `--${flag.name}`;
  }
  return undefined;
}

export interface BackendFlagValues {
  /** The section with the flags' values set in it. */
  readonly section: Record<string, unknown>;
  /** `--flag` for each dotted config key a flag set, so an invalid value is reported as the flag. */
  readonly flagFor: ReadonlyMap<string, string>;
}

/**
 * Sets the given flags' values into a copy of `section`. A flag that belongs to another back end than the chosen one
 * is a mistake the user should hear about, not a silent no-op.
 */
export function applyBackendFlags(
  chosen: BackendFactory<unknown>,
  factories: readonly BackendFactory<unknown>[],
  parsed: Readonly<Record<string, unknown>>,
  section: unknown,
): BackendFlagValues {
  for (const factory of factories) {
    if (factory.name === chosen.name) continue;
    for (const flag of factory.flags ?? []) {
      if (parsed[optionKey(flag)] !== undefined) {
        throw new CliError(
          `--${flag.name} is a flag of the ${factory.name} back end, but the back end is ${chosen.name}`,
        );
      }
    }
  }
  const result = structuredClone(isRecord(section) ? section : {});
  const flagFor = new Map<string, string>();
  for (const flag of chosen.flags ?? []) {
    const value = parsed[optionKey(flag)];
    if (value === undefined) continue;
    const keys = flag.configKey.split('.');
    let target = result;
    for (const key of keys.slice(0, -1)) {
      const next = target[key];
      target = isRecord(next) ? next : (target[key] = {});
    }
    target[keys[keys.length - 1]!] = value;
    flagFor.set(flag.configKey, `--${flag.name}`);
  }
  return { section: result, flagFor };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The chosen back end's section, with its flags set in it, checked by its schema; a mistake names the flag or the
 * file's line.
 */
export function backendConfigFrom(
  factory: BackendFactory<unknown>,
  factories: readonly BackendFactory<unknown>[],
  flags: object,
  config: ConfigSource | undefined,
  section: unknown,
): unknown {
  const { section: merged, flagFor } = applyBackendFlags(factory, factories, flags as Record<string, unknown>, section);
  const result = factory.configSchema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.map(String).join('.');
  const flag = flagFor.get(key);
  if (flag !== undefined) throw new CliError(`${flag}: ${issue.message}`);
  const missingFlag = (factory.flags ?? []).find((f) => f.configKey === key);
  if (missingFlag !== undefined && valueAt(merged, issue.path) === undefined) {
    throw new CliError(
      `the ${factory.name} back end needs --${missingFlag.name} (or ${factory.name}.${key} in the config file)`,
    );
  }
  if (config !== undefined) return validateConfig(config, factory.configSchema, merged, [factory.name]);
  throw new CliError(`${factory.name} back end: ${key === '' ? '' : `${key}: `}${issue.message}`);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) current = (current as Record<PropertyKey, unknown> | undefined)?.[key];
  return current;
}
