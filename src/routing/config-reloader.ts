/**
 * Live reload of the routing config: the file is watched (a ConfigMap volume swaps a symlink, so the
 * folder is watched, not the file), and SIGHUP asks too. A valid new config is built beside the old one
 * and swapped in at once; an invalid one is logged and counted, and the old one keeps serving.
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Logger } from '../log/index.js';
import { buildRoutingTable, type CreateBackend } from './build-routing-table.js';
import type { RoutingBackend } from './routing-backend.js';
import type { RoutingSpec } from './routing-config.js';

export type ReloadResult = 'success' | 'failure' | 'unchanged';

export interface ConfigReloaderOptions {
  readonly file: string;
  readonly routing: RoutingBackend;
  /** Reads and checks the file; throws one line naming the problem. */
  readonly load: () => Promise<RoutingSpec>;
  readonly create: CreateBackend;
  readonly logger: Logger;
  /** How long a replaced back end keeps running for requests already inside it. */
  readonly retireAfterMs?: number;
}

export class ConfigReloader {
  private readonly counts: Record<ReloadResult, number> = { success: 0, failure: 0, unchanged: 0 };
  private lastText: string | undefined;
  private running: Promise<ReloadResult> | undefined;
  private again = false;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly onHangup = () => void this.reload();
  private readonly retiring = new Map<NodeJS.Timeout, readonly { close(): Promise<void> }[]>();

  constructor(private readonly options: ConfigReloaderOptions) {}

  /** Remembers the text the server started with, and starts watching. */
  async start(): Promise<void> {
    this.lastText = await readFile(this.options.file, 'utf8').catch(() => undefined);
    const name = basename(this.options.file);
    this.watcher = watch(dirname(this.options.file), (_event, changed) => {
      // NB: ConfigMap updates rename `..data`, not the file; any change in the folder may be ours.
      if (changed !== null && changed !== name && !changed.startsWith('..')) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), 100);
    });
    this.watcher.unref();
    process.on('SIGHUP', this.onHangup);
  }

  /** One reload at a time; a change that arrives during one is read when it ends. */
  reload(): Promise<ReloadResult> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.reloadOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.running;
  }

  render(): string {
    return [
      '# HELP metrics_adapter_config_reload_total Reloads of the config file, by result.',
      '# TYPE metrics_adapter_config_reload_total counter',
      ...Object.entries(this.counts).map(
        ([result, count]) => `metrics_adapter_config_reload_total{result="${result}"} ${count}`,
      ),
      '',
    ].join('\n');
  }

  close(): void {
    this.watcher?.close();
    clearTimeout(this.debounce);
    process.off('SIGHUP', this.onHangup);
    for (const [timer, backends] of this.retiring) {
      clearTimeout(timer);
      for (const backend of backends) void backend.close().catch(() => undefined);
    }
    this.retiring.clear();
  }

  private async reloadOnce(): Promise<ReloadResult> {
    const { file, routing, logger } = this.options;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      return this.count(
        'failure',
        `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    if (text === this.lastText) return this.count('unchanged');
    try {
      const spec = await this.options.load();
      const table = await buildRoutingTable(spec, routing.current, this.options.create);
      const retired = routing.swap(table);
      this.lastText = text;
      this.retire(retired.map((b) => b.backend));
      logger.info(
        { file, backends: table.backends.map((b) => b.name), retired: retired.map((b) => b.name) },
        'config reloaded',
      );
      return this.count('success');
    } catch (error) {
      return this.count('failure', (error as Error).message);
    }
  }

  private count(result: ReloadResult, problem?: string): ReloadResult {
    this.counts[result]++;
    if (problem !== undefined)
      this.options.logger.error(
        { file: this.options.file },
        `config reload rejected, the previous config keeps serving: ${problem}`,
      );
    return result;
  }

  private retire(backends: readonly { close(): Promise<void> }[]): void {
    if (backends.length === 0) return;
    const timer = setTimeout(() => {
      this.retiring.delete(timer);
      for (const backend of backends) void backend.close().catch(() => undefined);
    }, this.options.retireAfterMs ?? 30_000);
    timer.unref();
    this.retiring.set(timer, backends);
  }
}
