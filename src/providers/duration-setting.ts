/**
 * The zod schema of a duration setting in a back end's config section (`metricTTL: 10m`), so every back end
 * accepts and reports durations the same way as the flags do.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from '../duration/index.js';

/** A Go duration string such as `30s`, `10m` or `1h`; parse it with `parseDuration`. */
export const durationSetting = z.string().refine(
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
