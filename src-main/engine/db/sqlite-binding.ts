let nativeBinding: string | undefined;

/**
 * Sets the better-sqlite3 native addon to load (the Electron-ABI build when running inside
 * Electron). The Node build is used when unset.
 */
export function setSqliteNativeBinding(file: string | undefined): void {
  nativeBinding = file;
}

/** The native addon set with setSqliteNativeBinding (undefined: the Node build); child processes load the same. */
export function sqliteNativeBinding(): string | undefined {
  return nativeBinding;
}

/** The better-sqlite3 constructor option that loads that addon (empty for the Node build). */
export function bindingOption(): { nativeBinding?: string } {
  return nativeBinding ? { nativeBinding } : {};
}
