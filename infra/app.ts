import { App } from 'aws-cdk-lib';
import { createDeltaHub } from '#infra/stacks/delta-hub.ts';

/** CDK entry point (`cdk.json` runs it). Account and region come from the CLI's environment. */
const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
createDeltaHub(app, account && region ? { env: { account, region } } : {});
app.synth();
