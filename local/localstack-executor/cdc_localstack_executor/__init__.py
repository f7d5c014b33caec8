"""Runs LocalStack's Lambda functions (Node.js runtimes) as local processes of the machine's node."""
