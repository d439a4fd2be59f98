export * from './types.js';
export * from './s3-probe.js';
export * from './turso-probe.js';
export * from './postgres-probe.js';
