export type { CheckoutOptions } from './checkout';
export { runCheckout } from './checkout';
export type { EtlOptions } from './etl';
export { runEtl } from './etl';
export type { FunctionsOptions } from './functions';
export { runFunctions } from './functions';
export type { ServiceRunOptions } from './pace';
export type { WorkflowOptions } from './workflow';
export { runWorkflow, WORKFLOW_PHASES } from './workflow';
