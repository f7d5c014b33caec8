/**
 * Lets the pipeline's operators into a new domain. Fine-grained access control maps the function's
 * role as master user, and only the master user may map other IAM roles: so the function, at its
 * container start, puts the operators' OpenSearch role (operator-role.ts) and maps the operator IAM
 * roles to it as backend roles, through the security plugin's REST API.
 *
 * PUT replaces both: the mapping holds exactly the roles of the settings (one taken out of them is
 * unmapped at the next start), and running it again changes nothing. A refusal is logged as a
 * warning and never fails a batch; the next container start tries again.
 */
import { mirrorAliases, operatorRoleName, type IndexNames, type RoutingSettings } from '../../settings';
import { pathOf, statusOf, type SearchTransport } from './search-transport';
import { operatorBackendRoles, operatorRole } from './operator-role';

export interface OperatorAccessSettings {
  readonly indexes: IndexNames;
  /** The routing settings: the role covers each mirror's indexes. @default the one mirror `indexes.mirror` */
  readonly routing?: RoutingSettings;
  /** None, or empty: nothing is sent. */
  readonly operatorRoleArns?: readonly string[];
}

/** Where the outcome goes (the function's logger). */
export interface OperatorAccessLog {
  info(message: string, details: Record<string, unknown>): void;
  warn(message: string, details: Record<string, unknown>): void;
}

/** Answers whether the operators are mapped now; false when there are none or the domain refused. Never throws. */
export async function ensureOperatorAccess(
  transport: SearchTransport,
  settings: OperatorAccessSettings,
  log: OperatorAccessLog,
): Promise<boolean> {
  const roleArns = settings.operatorRoleArns ?? [];
  if (roleArns.length === 0) return false;
  const role = operatorRoleName(settings.indexes);
  const backendRoles = operatorBackendRoles(roleArns);
  try {
    await transport.request({
      method: 'PUT',
      path: pathOf('_plugins', '_security', 'api', 'roles', role),
      body: operatorRole(settings.indexes, mirrorAliases(settings)),
    });
    await transport.request({
      method: 'PUT',
      path: pathOf('_plugins', '_security', 'api', 'rolesmapping', role),
      body: { backend_roles: backendRoles },
    });
  } catch (error) {
    log.warn('operator roles not mapped: the operators cannot use OpenSearch until they are; the next container start tries again', {
      role,
      backendRoles,
      ...refusal(error),
    });
    return false;
  }
  log.info('operator roles mapped', { role, backendRoles });
  return true;
}

/** The status and the engine's reason when it answered; else the error's message (unreachable, timed out). */
function refusal(error: unknown): { status?: number; reason: string; hint?: string } {
  const { body, message } = (error ?? {}) as { body?: unknown; message?: string };
  const status = statusOf(error);
  const answered = typeof body === 'string' ? body : typeof body === 'object' && body !== null ? JSON.stringify(body) : '';
  const reason = (answered || String(message ?? error)).slice(0, 500);
  const hint =
    status === 401 || status === 403
      ? "only the domain's master user may map roles: the function's role must be it (OpenSearchTarget.newDomain, context openSearch=newDomain)"
      : undefined;
  return { ...(status !== undefined ? { status } : {}), reason, ...(hint ? { hint } : {}) };
}
