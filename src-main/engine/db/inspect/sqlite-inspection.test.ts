import { tempHome } from '../../../test/temp-home.js';
import { inspectConformance } from './inspect-conformance.js';

inspectConformance('sqlite', async () => ({
  config: tempHome().config(),
  driver: 'sqlite',
  slowSql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c',
}));
