/** AWS credentials for the adapters that sign requests: their shape, and the function's own (the environment's). */
export { environmentCredentials, type AwsCredentials, type AwsCredentialsProvider } from './aws-credentials';
