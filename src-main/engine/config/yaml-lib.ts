// The YAML library, loaded the first time a config file is actually read or edited: parsing
// it costs a command ~0.15 s of CPU, and a home without config.yaml never needs it. Config
// resolution is synchronous, hence require rather than import().
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

type Yaml = typeof YamlModule;
let lib: Yaml | undefined;

/** The `yaml` package, required on first call. */
export function yamlLib(): Yaml {
  return (lib ??= createRequire(import.meta.url)('yaml') as Yaml);
}
