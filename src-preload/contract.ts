// The import path every side uses for the bridge; the contract itself lives in contract/, one file
// per area (contract/index.ts lists them).
export * from './contract/index';
