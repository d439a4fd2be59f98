import path from 'node:path';
import { tempHome } from '../../../test/temp-home.js';
import { inspectConformance } from './inspect-conformance.js';

inspectConformance('turso (file: URL)', async () => {
  const h = tempHome();
  return {
    config: h.config({ FOXCTL_KNOWLEDGE_DB_DRIVER: 'turso', FOXCTL_KNOWLEDGE_DB_URL: `file:${path.join(h.home, 'knowledge.libsql.db')}` }),
    driver: 'turso',
    slowSql: null,
  };
});
