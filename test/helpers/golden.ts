/**
 * Golden-file comparison: a test's output is checked against a file committed beside the test. The file is
 * written only when asked (`UPDATE_GOLDEN=1`), so a missing or deleted golden fails instead of becoming a
 * comparison of the output with itself.
 * @module
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

export interface GoldenOptions {
  /** Rewrite the file with `actual`; defaults to `UPDATE_GOLDEN=1`. */
  readonly update?: boolean;
}

/** Asserts that `actual` equals the golden `file`; with `update` writes it first. */
export async function assertGolden(file: string, actual: string, options: GoldenOptions = {}): Promise<void> {
  const fromEnvironment = process.env.UPDATE_GOLDEN === '1';
  // NB: on CI a rewrite would turn the check into a comparison of the output with itself.
  assert.ok(
    options.update !== undefined || !fromEnvironment || process.env.CI !== 'true',
    'UPDATE_GOLDEN=1 is refused when CI=true',
  );
  if (options.update ?? fromEnvironment) {
    await writeFile(file, actual);
    return;
  }
  assert.ok(
    existsSync(file),
    `golden file ${file} is missing: run the test with UPDATE_GOLDEN=1 to write it, then review and commit it`,
  );
  assert.equal(
    actual,
    await readFile(file, 'utf8'),
    `golden ${file} differs (UPDATE_GOLDEN=1 rewrites it; review the diff before committing)`,
  );
}
