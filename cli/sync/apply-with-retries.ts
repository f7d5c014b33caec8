import type { RawStreamRecord } from '../../lambda/core';
import { applyChanges, type PipelineSettings, type SearchPort } from '../../lambda/pipeline';

/** Applies a page; the items that must be retried are applied again (alone), a few times, with backoff. */
export async function applyWithRetries(records: RawStreamRecord[], settings: PipelineSettings, port: SearchPort, tries = 4) {
  let result = await applyChanges(records, settings, port);
  const total = {
    mirrorWritten: result.mirrorWritten,
    mirrorDeleted: result.mirrorDeleted,
    mirrorSuperseded: result.mirrorSuperseded,
    deadLettered: [...result.deadLettered],
  };
  let pending = records;
  for (let attempt = 1; attempt < tries && result.failures.length > 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
    pending = result.failures.map((failure) => pending[failure.position]);
    result = await applyChanges(pending, settings, port);
    total.mirrorWritten += result.mirrorWritten;
    total.mirrorDeleted += result.mirrorDeleted;
    total.mirrorSuperseded += result.mirrorSuperseded;
    total.deadLettered.push(...result.deadLettered);
  }
  return { ...total, failures: result.failures };
}
