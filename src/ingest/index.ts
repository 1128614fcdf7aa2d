/**
 * Push ingestion: Prometheus remote-write, OTLP/HTTP metrics and batched JSON writes, turned into served values by
 * ingest rules (rates of counters, gauges as they are, histogram means or quantiles) and stored through a back end's
 * writer.
 * @module
 */
export {
  createPushReceivers,
  type PushAnswer,
  type PushReceivers,
  type PushReceiversOptions,
  type PushRequest,
} from './push-receivers.js';
export {
  ingestConfigSchema,
  ingestRuleSchema,
  defaultIngestRules,
  defaultResourceOverrides,
  type IngestConfig,
  type IngestRule,
} from './ingest-config.js';
export {
  createIngestPipeline,
  type IngestPipeline,
  type IngestPipelineOptions,
  type IngestTransaction,
} from './ingest-pipeline.js';
export {
  compileIngestRules,
  type CompiledIngestRule,
  type SeriesDescription,
  type SeriesKind,
} from './compile-ingest-rules.js';
