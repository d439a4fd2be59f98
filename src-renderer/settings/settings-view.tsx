import { useEffect, type ReactNode } from 'react';
import { Loadable } from '../shared/loadable';
import { Card, Page } from '../shared/page';
import { SettingsCas } from './cas';
import { SettingsConfigWarnings } from './config-warnings';
import { SettingsPaths } from './paths';
import { SettingsPostgresForm } from './postgres-form';
import { SettingsS3Form } from './s3-form';
import { SettingsSectionBlock, SettingsSectionNav } from './section-nav';
import { SettingsSecretStatus } from './secret-status';
import { SettingsStoreDrivers } from './store-drivers';
import { SettingsTursoForm } from './turso-form';
import { useStudio } from '../store';
import './settings.css';

/**
 * Settings in sections with their own navigation, the connection forms first: the S3 / Turso /
 * PostgreSQL forms with Test connection, the store drivers, the CAS backend with "Move CAS to
 * S3", and every effective value with its source (edit where the config file decides it).
 */
export function SettingsView(): ReactNode {
  const settings = useStudio((s) => s.settings);
  const load = useStudio((s) => s.loadSettings);
  useEffect(() => void load(), [load]);
  return (
    <Page id="settings" title="Settings" subtitle="Environment variables win over saved settings (secret store and config file), which win over defaults.">
      <Loadable request="settings" data={settings} retry={() => void load()}>
        {(s) => (
          <>
            <SettingsConfigWarnings warnings={s.warnings} configFile={s.configFile} />
            <SettingsSectionNav />
            <SettingsSectionBlock section="connections">
              <div className="settings-forms">
                <Card title="S3" className="settings-card" aside={<span className="muted small">the s3 CAS backend and pushed backups</span>}>
                  <SettingsS3Form settings={s} />
                </Card>
                <Card title="Turso / libSQL" className="settings-card" aside={<span className="muted small">stores and the CAS with the turso driver</span>}>
                  <SettingsTursoForm settings={s} />
                </Card>
                <Card title="PostgreSQL" className="settings-card" aside={<span className="muted small">stores with the postgres driver</span>}>
                  <SettingsPostgresForm settings={s} />
                </Card>
              </div>
              <SettingsSecretStatus info={s.secrets} />
            </SettingsSectionBlock>
            <SettingsSectionBlock section="drivers">
              <Card title="Store drivers" className="settings-card" aside={<span className="muted small">sqlite, turso or postgres for each store</span>}>
                <SettingsStoreDrivers settings={s} />
              </Card>
            </SettingsSectionBlock>
            <SettingsSectionBlock section="cas">
              <Card title="CAS backend" className="settings-card">
                <SettingsCas settings={s} />
              </Card>
            </SettingsSectionBlock>
            <SettingsSectionBlock section="paths">
              <Card title="Paths and general" aside={<code className="small" data-testid="config-file">{s.configFile}{s.configFileLoaded ? '' : ' (not created yet)'}</code>}>
                <p className="muted small settings-order" data-testid="resolution-order">
                  Resolution order: {s.order}.
                </p>
                <SettingsPaths settings={s} />
              </Card>
            </SettingsSectionBlock>
          </>
        )}
      </Loadable>
    </Page>
  );
}
