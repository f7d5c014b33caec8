/**
 * The run-time half of the guard against sending credentials and items in clear. The construct
 * checks the endpoint at synth time, but an endpoint known only at deploy time (a token: an SSM
 * parameter, a domain of the app) cannot be checked there. So the function, when it reads its
 * settings, and the CLI, when it reads the deployed function's, refuse plain http with
 * authentication unless the construct wrote allowInsecureEndpoint.
 */
import { SettingError } from './setting-error';
import type { AuthMode } from './setting-values';
import { SETTINGS } from './settings-table';

/** What would travel in clear over plain http, by authentication. */
const IN_CLEAR: Record<Exclude<AuthMode, 'none'>, string> = {
  sigv4: 'the signed requests and the items',
  basic: 'the password and the items',
};

export interface TransportSettings {
  readonly openSearchEndpoint: string;
  readonly auth: { readonly mode: AuthMode };
  readonly allowInsecureEndpoint: boolean;
}

/** Throws a SettingError naming the endpoint's setting, and the allow setting as the way out, for http with authentication. */
export function checkSecureTransport(
  settings: TransportSettings,
  names: { readonly openSearchEndpoint: string; readonly allowInsecureEndpoint: string },
): void {
  const { mode } = settings.auth;
  if (mode === 'none' || settings.allowInsecureEndpoint || !/^http:/i.test(settings.openSearchEndpoint)) return;
  const allow = SETTINGS.allowInsecureEndpoint;
  throw new SettingError(
    names.openSearchEndpoint,
    `must use https with ${mode} authentication (${IN_CLEAR[mode]} would travel in clear)`,
    settings.openSearchEndpoint,
    `Use an https endpoint, or allow plain http with ${names.allowInsecureEndpoint} set to true ` +
      `(written by the construct from its prop ${allow.prop.name}, CDK context ${allow.context})`,
  );
}
