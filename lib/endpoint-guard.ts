/**
 * The guard against sending a table's items in clear or to an open cluster: outside a local
 * target, the endpoint must be https and requests must be authenticated. Credentials in the URL
 * are refused everywhere by the settings contract (checkEndpoint), with no opt-out: they would
 * land in the function's environment, the stack outputs and the logs. An endpoint known only at
 * deploy time is checked again by the function at run time (lambda/settings/insecure-endpoint.ts).
 */
import { Token } from 'aws-cdk-lib';
import { type AuthMode, SettingError } from '../lambda/settings';

/**
 * Hosts that only exist on the machine itself: `localhost`, 127.0.0.0/8 and `[::1]` (as URL
 * normalizes them: `127.1` reads `127.0.0.1`, `[0:0::1]` reads `[::1]`). Not `*.localhost`: a
 * resolver other than the OS's may send such a name anywhere.
 */
const LOOPBACK = /^(localhost|127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}|\[::1\])$/i;

export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    return LOOPBACK.test(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * Throws a SettingError naming `setting` when the endpoint is plain http or unauthenticated.
 * @param optOut how to allow it anyway, quoted in the message
 */
export function checkSecureEndpoint(setting: string, endpoint: string, authMode: AuthMode, optOut: string): void {
  if (Token.isUnresolved(endpoint)) {
    // Known only at deploy time (a domain of this app, https by construction; an SSM parameter): only the
    // auth mode can be checked here. The function refuses plain http with authentication at run time.
    if (authMode === 'none') throw new SettingError(setting, `has no authentication; use a SigV4 or basic-auth target, or set ${optOut}`);
    return;
  }
  if (/^http:/i.test(endpoint.trim())) {
    throw new SettingError(
      setting,
      `must use https outside a local target (items would travel in clear); set ${optOut} to allow it`,
      endpoint,
    );
  }
  if (authMode === 'none') {
    throw new SettingError(
      setting,
      `has no authentication (anyone reaching it could read and change the indexes); use a SigV4 or basic-auth target, or set ${optOut} to allow it`,
      endpoint,
    );
  }
}
