// Module resolve hook: `electron` -> the stand-in (electron.mjs); everything else as usual.
const standIn = new URL('./electron.mjs', import.meta.url).href;

/** Node's resolve hook. */
export async function resolve(specifier, context, next) {
  if (specifier === 'electron') return { url: standIn, shortCircuit: true };
  return next(specifier, context);
}
