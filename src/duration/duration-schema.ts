/**
 * The zod schema of a Go duration string in a config file, so every back end's section says the same
 * thing about a bad one.
 * @module
 */
import { z } from 'zod';
import { parseDuration } from './parse-duration.js';

export const durationString = z.string().refine(
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
