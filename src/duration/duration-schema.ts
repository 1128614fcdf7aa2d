/**
 * A zod schema for a Go duration string in a config file (`metricTTL: 10m`), shared by the back ends' schemas.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from './parse-duration.js';

export const durationSchema = z.string().refine(
  (text) => {
    try {
      parseDuration(text);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a duration such as 30s, 10m or 1h' },
);
