import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { z } from 'zod';
import type { BackendFactory } from '../providers/backend.js';
import { addBackendFlags, applyBackendFlags, backendConfigFrom } from './backend-flags.js';
import { CliError } from '../serving/cli-error.js';

function factory(name: string, schema: z.ZodType, flags: BackendFactory['flags']): BackendFactory<unknown> {
  return { name, description: name, configSchema: schema, flags, create: () => Promise.reject(new Error('not used')) };
}

const remote = factory(
  'remote',
  z
    .object({
      url: z.url(),
      auth: z.object({ tokenFile: z.string().optional() }).strict().optional(),
      insecure: z.boolean().optional(),
    })
    .strict(),
  [
    { name: 'remote-url', value: '<url>', description: 'server URL', configKey: 'url' },
    { name: 'remote-token-file', value: '<file>', description: 'token', configKey: 'auth.tokenFile' },
    { name: 'remote-insecure', description: 'skip checks', configKey: 'insecure' },
  ],
);
const local = factory('local', z.object({}).strict(), []);
const all = [local, remote];

function parse(args: string[]): Record<string, unknown> {
  const command = addBackendFlags(new Command('serve').exitOverride(), all);
  command.parse(args, { from: 'user' });
  return command.opts();
}

describe('back-end flags', () => {
  test('refuses a flag of a back end that is not the chosen one', () => {
    assert.throws(
      () => applyBackendFlags(local, all, parse(['--remote-url', 'https://p:9090']), {}),
      (error: unknown) =>
        error instanceof CliError &&
        /--remote-url is a flag of the remote back end, but the back end is local/.test(error.message),
    );
  });

  test('an invalid flag value is reported as the flag', () => {
    assert.throws(
      () => backendConfigFrom(remote, all, parse(['--remote-url', 'not a url']), undefined, {}),
      (error: unknown) => error instanceof CliError && /^--remote-url: /.test(error.message),
    );
  });

  test('a missing required setting names the flag and the config key', () => {
    assert.throws(
      () => backendConfigFrom(remote, all, parse([]), undefined, undefined),
      (error: unknown) =>
        error instanceof CliError &&
        error.message === 'the remote back end needs --remote-url (or remote.url in the config file)',
    );
  });

  test('flags set nested keys, switches set true, and a flag wins over the file', () => {
    const section = { url: 'https://from-file:9090', auth: { tokenFile: '/file' } };
    const config = backendConfigFrom(
      remote,
      all,
      parse(['--remote-url', 'https://from-flag:9090', '--remote-insecure']),
      undefined,
      section,
    );
    assert.deepEqual(config, { url: 'https://from-flag:9090', auth: { tokenFile: '/file' }, insecure: true });
    assert.deepEqual(
      section,
      { url: 'https://from-file:9090', auth: { tokenFile: '/file' } },
      'the file section is not changed',
    );
    const nested = backendConfigFrom(
      remote,
      all,
      parse(['--remote-url', 'https://p:9090', '--remote-token-file', '/t']),
      undefined,
      undefined,
    );
    assert.deepEqual(nested, { url: 'https://p:9090', auth: { tokenFile: '/t' } });
  });

  test('--help names each flag with its back end', () => {
    const help = addBackendFlags(new Command('serve'), all).helpInformation();
    assert.match(help, /--remote-url <url>\s+server URL \(remote back end\)/);
    assert.match(help, /--remote-insecure\s+skip checks \(remote back end\)/);
  });
});
