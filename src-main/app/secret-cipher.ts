import { safeStorage } from 'electron';
import type { SecretCipher, SecretProtection } from '../engine/secrets/cipher.js';

/**
 * The engine's secret cipher over Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet).
 * On Linux without a keyring safeStorage falls back to `basic_text` (a fixed key): reported as
 * such so the Settings view warns and asks for consent. Use after the app is ready.
 */
export function createSafeStorageCipher(): SecretCipher {
  const backend = (): string => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : process.platform === 'darwin' ? 'keychain' : 'dpapi');
  return {
    get name() {
      return `safeStorage (${backend()})`;
    },
    protection(): SecretProtection {
      if (!safeStorage.isEncryptionAvailable()) return 'none';
      const b = backend();
      return b === 'basic_text' || b === 'unknown' ? 'basic_text' : 'os';
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (data) => safeStorage.decryptString(data),
  };
}
