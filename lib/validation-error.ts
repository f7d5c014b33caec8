/**
 * A prop that fails the construct's rules, bound to the construct as aws-cdk-lib's own
 * validation errors are: the message starts with the construct's path and names the prop and
 * the value given.
 */
import type { IConstruct } from 'constructs';
import { SettingError } from '../lambda/settings';

export class ValidationError extends Error {
  /** The path of the construct that refused the prop. */
  readonly constructPath: string;

  constructor(
    scope: IConstruct,
    readonly prop: string,
    problem: string,
    value?: unknown,
  ) {
    super(`${scope.node.path}: ${new SettingError(prop, problem, value).message}`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
  }

  /** Runs a check of the settings contract, re-throwing its SettingError bound to `scope`. */
  static check<T>(scope: IConstruct, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof SettingError) throw new ValidationError(scope, error.setting, error.problem, error.value);
      throw error;
    }
  }
}
