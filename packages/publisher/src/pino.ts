export type { PinoTransportOptions } from './pinoTransport';
export { createPinoTransport, createPinoTransport as default, pinoLineToEntry } from './pinoTransport';
