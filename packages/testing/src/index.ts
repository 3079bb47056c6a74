export type { RunningGateway } from './startGateway';
export { startGateway } from './startGateway';
