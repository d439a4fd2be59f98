import type { ReactNode } from 'react';
import type { SecretStoreInfo } from '../../src-preload/contract';

/**
 * How secrets are kept here, said plainly: encrypted by the OS (safeStorage), or, in browser
 * mode and with safeStorage's basic_text backend, only in a 0600 file after an explicit "I understand".
 */
export function SettingsSecretStatus({ info }: { info: SecretStoreInfo }): ReactNode {
  const saved = info.entries.filter((e) => e.set);
  if (info.protection === 'os') {
    return (
      <div className="notice notice-info settings-secret-status" data-testid="secret-status" data-protection="os">
        <div className="notice-main">
          <div className="notice-title">Secrets are encrypted by the system keychain ({info.cipher})</div>
          <div className="notice-message">
            Kept in <code>{info.file}</code>, never shown again in full: only whether one is saved and its last 4 characters. {saved.length} saved.
          </div>
        </div>
      </div>
    );
  }
  return (
    <div className="notice settings-secret-warning" role="note" data-testid="secret-status" data-protection={info.protection}>
      <div className="notice-main">
        <div className="notice-title">{info.protection === 'basic_text' ? 'No keyring: secrets cannot be encrypted properly here' : 'No system keychain in this mode'}</div>
        <div className="notice-message">{info.warning}</div>
        <div className="notice-hint">
          Saving a secret asks for an explicit “I understand” first. Environment variables (Show env equivalent) keep secrets out of files altogether. {saved.length} saved.
        </div>
      </div>
    </div>
  );
}
