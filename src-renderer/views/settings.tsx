import { useEffect, type ReactNode } from 'react';
import type { ConfigValue } from '../../src-preload/contract';
import { Command } from '../components/empty-state';
import { Loadable } from '../components/loadable';
import { Card, Page } from '../components/page';
import { useStudio } from '../store';

function Source({ v }: { v: ConfigValue }): ReactNode {
  switch (v.source.kind) {
    case 'default':
      return <span className="tag">default</span>;
    case 'file':
      return (
        <span className="tag tag-file" title={v.source.file}>
          config file
        </span>
      );
    case 'env':
      return <span className="tag tag-env">${v.source.variable}</span>;
  }
}

/** Settings: each effective value and where it came from; backend forms come with their issue. */
export function SettingsView(): ReactNode {
  const config = useStudio((s) => s.config);
  const load = useStudio((s) => s.loadConfig);
  useEffect(() => void load(), [load]);
  return (
    <Page id="settings" title="Settings" subtitle="Effective configuration: environment over config file over defaults.">
      <Loadable request="config" data={config} retry={() => void load()}>
        {(c) => (
          <>
            <Card title="Configuration" aside={<code className="small">{c.configFile}{c.configFileLoaded ? '' : ' (absent)'}</code>}>
              <table className="table" data-testid="config-table">
                <thead>
                  <tr>
                    <th scope="col">Key</th>
                    <th scope="col">Value</th>
                    <th scope="col">Source</th>
                  </tr>
                </thead>
                <tbody>
                  {c.values.map((v) => (
                    <tr key={v.key} data-key={v.key}>
                      <th scope="row">
                        <div className="mono">{v.key}</div>
                        <div className="muted small">{v.description}</div>
                      </th>
                      <td>
                        <code className="small">{String(v.value)}</code>
                      </td>
                      <td>
                        <Source v={v} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
            <Card title="Backends and credentials">
              <p className="muted" data-testid="backends-empty">
                Forms for S3, Turso and PostgreSQL, with Test connection and secrets kept in the system keychain, will appear here. Until then, set them with environment
                variables, e.g. <Command>FOXCTL_CAS_DRIVER=s3 FOXCTL_CAS_S3_BUCKET=my-bucket foxctl studio</Command>
              </p>
            </Card>
          </>
        )}
      </Loadable>
    </Page>
  );
}
