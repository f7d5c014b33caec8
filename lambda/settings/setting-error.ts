/**
 * The one error for a bad setting, wherever it was given (construct prop, CDK context key,
 * environment variable of the function, CLI flag): it names the setting and the value given.
 */
export class SettingError extends Error {
  constructor(
    /** The setting as the user wrote it: `batchSize`, `CHANGE_LOG_INDEX`, `--mirror-index`. */
    readonly setting: string,
    /** What is wrong, as a rule: "must be a lowercase OpenSearch index name". */
    readonly problem: string,
    readonly value?: unknown,
    /** Where to change it, when the setting's name alone does not say. */
    readonly hint?: string,
  ) {
    super(`${setting} ${problem}${value === undefined ? '' : `, got ${JSON.stringify(value)}`}${hint ? `. ${hint}` : ''}`);
    this.name = 'SettingError';
  }
}
