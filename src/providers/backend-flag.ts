/**
 * The `serve` flags a back end reads: the common ones, and the flags a back end adds for its own settings.
 * @module
 */

/** Settings every back end may read from the `serve` flags; the config file's section wins over none of them. */
export interface CommonBackendFlags {
  /** `--metric-ttl` in milliseconds, if given. */
  readonly metricTtlMs?: number;
}

/**
 * A `serve` flag that a back end adds, such as `--prometheus-url`. Its text is set at `configKey` (a dotted path) of
 * the back end's config section before the schema checks it, so a flag and the file's key are one setting and the flag
 * wins. NB: so that `--help` can list every back end's flags, the CLI imports every factory module: a factory imports
 * its client library inside `create()`, never at the top.
 */
export interface BackendFlag {
  /** The long name without dashes: `prometheus-url`. */
  readonly name: string;
  /** The value's placeholder in `--help`, such as `<url>`; a flag without one is a switch and sets `true`. */
  readonly value?: string;
  readonly description: string;
  readonly configKey: string;
  /**
   * For a flag that may be repeated: folds each value into the one set at `configKey`, as commander's custom
   * option processing does (`--prometheus-header A=1 --prometheus-header B=2` gives `{A: '1', B: '2'}`).
   */
  readonly accumulate?: (value: string, previous: unknown) => unknown;
}
