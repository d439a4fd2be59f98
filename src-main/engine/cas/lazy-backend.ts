import type { CasBackend } from './types.js';

/**
 * A backend whose module (and client library: the AWS SDK, libSQL) loads on first use, so a
 * command that never touches the CAS does not pay for it. Name and location are known up
 * front (messages need them before any call); every method waits for the real backend.
 */
export function lazyBackend(name: string, location: string, load: () => Promise<CasBackend>): CasBackend {
  let real: Promise<CasBackend> | undefined;
  let loaded: CasBackend | undefined;
  const get = (): Promise<CasBackend> =>
    (real ??= load().then(
      (b) => (loaded = b),
      (err: unknown) => {
        real = undefined;
        throw err;
      },
    ));
  return {
    name,
    location,
    open: async () => (await get()).open(),
    createWriter: async () => (await get()).createWriter(),
    head: async (hex) => (await get()).head(hex),
    read: async (hex) => (await get()).read(hex),
    all: async () => (await get()).all(),
    scan: async () => (await get()).scan(),
    names: async (after, limit) => (await get()).names(after, limit),
    setPin: async (hex, pinnedAt) => (await get()).setPin(hex, pinnedAt),
    remove: async (hex, guard) => (await get()).remove(hex, guard),
    stats: async () => (await get()).stats(),
    // Nothing to release when it never loaded.
    close: async () => (loaded ?? (real ? await real : undefined))?.close(),
  };
}
