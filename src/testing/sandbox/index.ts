export { FlanksSandbox } from './sandbox';
export * from './types';
