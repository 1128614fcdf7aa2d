/**
 * Where the Sysdig API token comes from: a mounted file (re-read on every request, so a rotated Secret is
 * picked up) or an env var (`SDC_TOKEN`, as k8s-sysdig-adapter and sysdig-sdk-python read it). Never a flag,
 * which `ps` and shell history would show, and never written to the log or an error message.
 * @module
 */
import { readFile } from 'node:fs/promises';

export interface TokenSettings {
  readonly tokenFile?: string | undefined;
  readonly tokenEnv: string;
}

/** Checks that a token is there now and returns how to read it; throws a message naming the setting, not the token. */
export async function createTokenSource(
  settings: TokenSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<() => Promise<string>> {
  const file = settings.tokenFile;
  if (file !== undefined) {
    const read = async () => {
      try {
        return (await readFile(file, 'utf8')).trim();
      } catch (error) {
        throw new Error(
          `cannot read the Sysdig token file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
    };
    if ((await read()) === '') throw new Error(`the Sysdig token file ${file} is empty`);
    return read;
  }
  const token = env[settings.tokenEnv]?.trim() ?? '';
  if (token === '')
    throw new Error(`no Sysdig API token: set the env var ${settings.tokenEnv} (from a Secret) or sysdig.tokenFile`);
  return async () => token;
}
