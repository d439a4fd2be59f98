// `node --import ./register.mjs out/main/index.js`: resolves `electron` to the stand-in beside
// this file, so the built main bundle runs under plain Node (see electron.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
