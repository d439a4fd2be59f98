/**
 * How secrets are protected at rest, as the host reports it: `os` (the OS keychain / DPAPI /
 * libsecret behind Electron's safeStorage), `basic_text` (safeStorage with a hard-coded key on
 * Linux without a keyring: obfuscation, not protection) or `none` (no cipher: browser mode, CLI).
 */
export type SecretProtection = 'os' | 'basic_text' | 'none';

/**
 * What the engine needs of a secret cipher. Electron's main process implements it with
 * safeStorage (src-main/app/secret-cipher.ts); the engine never imports electron.
 */
export interface SecretCipher {
  /** Name shown to the user, e.g. "safeStorage (gnome_libsecret)". */
  readonly name: string;
  /** The protection this cipher gives right now. */
  protection(): SecretProtection;
  /** Encrypts a secret; throws when encryption is not available. */
  encrypt(plain: string): Buffer;
  /** Decrypts what encrypt returned (on this machine, for this user). */
  decrypt(data: Buffer): string;
}
