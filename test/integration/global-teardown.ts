import { down } from '../../local/runner';

/** Stops the engines only if global setup started them. */
export default async function globalTeardown(): Promise<void> {
  if ((globalThis as Record<string, unknown>).__CDC_ENGINES_STARTED__) {
    await down((line) => process.stdout.write(`[engines] ${line}\n`));
  }
}
