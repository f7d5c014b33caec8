/** The Secrets Manager adapter: credentials the function reads at run time. */
export {
  readBasicAuthSecret,
  parseBasicAuthSecret,
  secretRegion,
  BasicAuthSecretError,
  BASIC_AUTH_SECRET_SHAPE,
  type BasicCredentials,
} from './basic-auth-secret';
export { type SecretsManagerAccess, SecretsManagerError } from './get-secret-value';
