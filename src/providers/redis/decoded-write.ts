/**
 * One write read back from Redis (a stream entry or a key of the layout before), of either kind.
 * @module
 */
import type { CustomMetricWrite, ExternalMetricWrite } from '../write.js';

export type DecodedWrite =
  | { readonly kind: 'custom'; readonly write: CustomMetricWrite }
  | { readonly kind: 'external'; readonly write: ExternalMetricWrite };
