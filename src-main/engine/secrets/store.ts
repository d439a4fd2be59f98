import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/edit.js';
import { FoxError } from '../errors.js';
import type { SecretCipher, SecretProtection } from './cipher.js';
import { SECRET_DEFS, isSecretName, last4, secretDef, type SecretName } from './names.js';

/** How one stored secret is kept: encrypted by safeStorage, or plain text (after the user agreed). */
type Scheme = 'safeStorage' | 'plain';

/** One record of secrets.json. `last4` is what the UI may show again. */
interface StoredSecret {
  scheme: Scheme;
  /** base64 of the cipher's output for safeStorage; the value itself for plain. */
  data: string;
  /** The protection in effect when it was saved (os / basic_text / none). */
  protection: SecretProtection;
  last4: string;
  updated_at: string;
}

interface SecretsFile {
  version: 1;
  secrets: Partial<Record<SecretName, StoredSecret>>;
}

/** What the bridge may see of one secret: never the value, only whether it is set and its last 4. */
export interface SecretEntryStatus {
  name: SecretName;
  label: string;
  set: boolean;
  last4: string;
  /** How it is kept: `os` encrypted, `basic_text` (obfuscated), `plain` (0600 file), or null when unset. */
  stored: SecretProtection | 'plain' | null;
  /** False when this process cannot decrypt it (saved by the desktop app with the OS keychain). */
  readable: boolean;
  updatedAt: string | null;
}

/** The state of the secret store as the Settings view shows it. */
export interface SecretStoreStatus {
  file: string;
  protection: SecretProtection;
  /** The cipher's name, or null when there is none (browser mode, CLI). */
  cipher: string | null;
  /** True when saving needs the user's explicit consent (no OS encryption here). */
  consentRequired: boolean;
  /** Why consent is needed, in one sentence, or null. */
  warning: string | null;
  entries: SecretEntryStatus[];
}

/** Options of SecretStore.set. */
export interface SecretSetOptions {
  /** The user's explicit "I understand" to keep the secret without OS encryption. */
  plaintextConsent?: boolean;
}

const MAX_SECRET = 8192;

/**
 * The secret store: `<home>/secrets.json`, mode 0600, written atomically. With an OS-backed
 * cipher (Electron's safeStorage) values are encrypted; without one (browser mode, CLI) or with
 * safeStorage's `basic_text` backend, a value is only saved when the caller passes the user's
 * explicit consent. Values never leave through status(): only `set` and the last 4 characters.
 */
export class SecretStore {
  readonly file: string;
  private readonly cipher: SecretCipher | undefined;

  constructor(home: string, cipher?: SecretCipher) {
    this.file = path.join(home, 'secrets.json');
    this.cipher = cipher;
  }

  /** The protection available in this process. */
  protection(): SecretProtection {
    if (!this.cipher) return 'none';
    try {
      return this.cipher.protection();
    } catch {
      return 'none';
    }
  }

  /** Why a save needs consent here, or null when the OS protects secrets. */
  warning(): string | null {
    switch (this.protection()) {
      case 'os':
        return null;
      case 'basic_text':
        return `safeStorage uses the "basic_text" backend here (no keyring is running): secrets would be obfuscated with a fixed key, not encrypted, in ${this.file} (mode 0600).`;
      case 'none':
        return `no OS encryption is available in this mode (no safeStorage): secrets would be kept in plain text in ${this.file}, readable by your user account only (mode 0600).`;
    }
  }

  /** Whether each secret is set, its last 4 characters, and how the store protects them. */
  status(): SecretStoreStatus {
    const data = this.read();
    const protection = this.protection();
    return {
      file: this.file,
      protection,
      cipher: this.cipher?.name ?? null,
      consentRequired: protection !== 'os',
      warning: this.warning(),
      entries: SECRET_DEFS.map((d) => this.entryStatus(d.name, data)),
    };
  }

  /** Saves a secret; UNSUPPORTED (with the reason) without consent where the OS cannot encrypt it. */
  set(name: string, value: string, opts: SecretSetOptions = {}): SecretEntryStatus {
    const n = this.checkName(name);
    const label = secretDef(n).label;
    if (typeof value !== 'string' || value.length === 0) throw new FoxError('INVALID_INPUT', `${label} is empty: type a value, or remove the secret instead`, { subject: 'secrets' });
    if (value.length > MAX_SECRET) throw new FoxError('INVALID_INPUT', `${label} is longer than ${MAX_SECRET} characters`, { subject: 'secrets' });
    if (/[\r\n]/.test(value)) throw new FoxError('INVALID_INPUT', `${label} contains a line break (a pasting mistake?)`, { subject: 'secrets' });
    const protection = this.protection();
    if (protection !== 'os' && opts.plaintextConsent !== true) {
      throw new FoxError('UNSUPPORTED', `${label} was not saved: ${this.warning()} Confirm "I understand" to store it anyway, or set ${secretDef(n).env.join(' / ')} instead.`, { subject: 'secrets' });
    }
    let record: StoredSecret;
    const now = new Date().toISOString();
    if (protection === 'none') {
      record = { scheme: 'plain', data: value, protection, last4: last4(value), updated_at: now };
    } else {
      let enc: Buffer;
      try {
        enc = this.cipher!.encrypt(value);
      } catch (err) {
        throw new FoxError('UNAVAILABLE', `${label} was not saved: safeStorage could not encrypt it (${(err as Error).message})`, { subject: 'secrets' });
      }
      record = { scheme: 'safeStorage', data: enc.toString('base64'), protection, last4: last4(value), updated_at: now };
    }
    const data = this.read();
    data.secrets[n] = record;
    this.write(data);
    return this.entryStatus(n, data);
  }

  /** Removes a secret (no error when it was not set). */
  delete(name: string): SecretEntryStatus {
    const n = this.checkName(name);
    const data = this.read();
    if (data.secrets[n]) {
      delete data.secrets[n];
      this.write(data);
    }
    return this.entryStatus(n, data);
  }

  /**
   * The value of a secret, for the engine's own use (never for a bridge response): undefined
   * when unset or when this process cannot decrypt it.
   */
  reveal(name: SecretName): string | undefined {
    const rec = this.read().secrets[name];
    if (!rec) return undefined;
    return this.decrypt(rec);
  }

  private decrypt(rec: StoredSecret): string | undefined {
    if (rec.scheme === 'plain') return rec.data;
    if (!this.cipher || this.protection() === 'none') return undefined;
    try {
      return this.cipher.decrypt(Buffer.from(rec.data, 'base64'));
    } catch {
      return undefined;
    }
  }

  private entryStatus(name: SecretName, data: SecretsFile): SecretEntryStatus {
    const rec = data.secrets[name];
    const label = secretDef(name).label;
    if (!rec) return { name, label, set: false, last4: '', stored: null, readable: false, updatedAt: null };
    return {
      name,
      label,
      set: true,
      last4: rec.last4,
      stored: rec.scheme === 'plain' ? 'plain' : rec.protection,
      readable: this.decrypt(rec) !== undefined,
      updatedAt: rec.updated_at,
    };
  }

  private checkName(name: string): SecretName {
    if (!isSecretName(name)) throw new FoxError('INVALID_INPUT', `unknown secret "${name}"; known secrets: ${SECRET_DEFS.map((d) => d.name).join(', ')}`, { subject: 'secrets' });
    return name;
  }

  private read(): SecretsFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} };
      throw new FoxError('IO', `cannot read the secret store ${this.file}: ${(err as Error).message}`, { subject: 'secrets' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's message may quote the file's text: never include it.
      throw new FoxError('CORRUPT', `the secret store ${this.file} is not valid JSON; remove it and save the secrets again`, { subject: 'secrets' });
    }
    const p = parsed as Partial<SecretsFile> | null;
    if (!p || typeof p !== 'object' || p.version !== 1 || typeof p.secrets !== 'object' || p.secrets === null) {
      throw new FoxError('CORRUPT', `the secret store ${this.file} has an unknown layout (expected version 1)`, { subject: 'secrets' });
    }
    const secrets: SecretsFile['secrets'] = {};
    for (const [k, v] of Object.entries(p.secrets)) {
      if (isSecretName(k) && v && typeof v.data === 'string' && (v.scheme === 'plain' || v.scheme === 'safeStorage')) secrets[k] = v;
    }
    return { version: 1, secrets };
  }

  private write(data: SecretsFile): void {
    writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`, 0o600);
  }
}
