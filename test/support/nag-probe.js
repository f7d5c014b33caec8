/**
 * Preloaded into the CDK app (`NODE_OPTIONS=--require <this file>`) by the CLI synth test: the App
 * that the entry point (bin/app.ts) creates gets one more stack, holding an SQS queue that breaks
 * AWS Solutions rules (no dead-letter queue, no TLS-only policy). An app that runs cdk-nag's checks
 * must refuse it; an app that does not synthesizes it. Nothing else changes: other modules (the
 * stack itself, the CDK CLI, npx) get aws-cdk-lib as it is.
 */
const Module = require('node:module');

const load = Module._load;
Module._load = function (request, parent, ...rest) {
  const exported = load.call(this, request, parent, ...rest);
  if (request !== 'aws-cdk-lib' || parent?.id !== '.') return exported;
  class AppWithNonCompliantQueue extends exported.App {
    constructor(props) {
      super(props);
      new exported.aws_sqs.Queue(new exported.Stack(this, 'NagProbe'), 'NonCompliantQueue');
    }
  }
  return Object.create(exported, { App: { value: AppWithNonCompliantQueue } });
};
