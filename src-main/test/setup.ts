// Runs before every test file: no test may ever read or write the real ~/.foxctl.
// HOME points at a throwaway directory, and FOXCTL_* variables of the developer's shell are
// dropped so that every test states the environment it runs in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const fakeHome = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-test-home-'));
process.env.HOME = fakeHome;
for (const k of Object.keys(process.env)) {
  if (k.startsWith('FOXCTL_') && k !== 'FOXCTL_TEST_REQUIRE' && !k.startsWith('FOXCTL_TEST_') && k !== 'FOXCTL_E2E_ELECTRON') {
    delete process.env[k];
  }
}
process.env.FOXCTL_HOME = path.join(fakeHome, '.foxctl');
