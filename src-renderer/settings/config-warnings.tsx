import type { ReactNode } from 'react';
import type { ConfigWarning } from '../../src-preload/contract';

/**
 * The unknown keys of config.yaml (typos such as `storage.rooot`), each with its line and the key it
 * most likely meant: nothing reads them, so a setting the user believes in silently does nothing.
 */
export function SettingsConfigWarnings({ warnings, configFile }: { warnings: readonly ConfigWarning[]; configFile: string }): ReactNode {
  if (warnings.length === 0) return null;
  const n = warnings.length;
  return (
    <div className="notice notice-warn" role="status" data-testid="config-warnings">
      <div className="notice-main">
        <div className="notice-title">
          {configFile.split(/[\\/]/).pop()} has {n === 1 ? 'an unknown key' : `${n} unknown keys`}
        </div>
        <ul className="config-warnings">
          {warnings.map((w) => (
            <li key={w.key} data-testid="config-warning" data-key={w.key}>
              <code>{w.key}</code>
              {w.line === null ? '' : ` (line ${w.line})`}
              {w.suggestion ? (
                <>
                  : did you mean <code>{w.suggestion}</code>?
                </>
              ) : (
                ': not a key of Storage Studio or the Go foxctl'
              )}
            </li>
          ))}
        </ul>
        <div className="notice-hint">
          Nothing reads {n === 1 ? 'this key' : 'these keys'}: fix or remove {n === 1 ? 'it' : 'them'} in <code>{configFile}</code>.
        </div>
      </div>
    </div>
  );
}
