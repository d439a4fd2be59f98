/**
 * Whether a backend suite must run: `FOXCTL_TEST_REQUIRE=all` (CI) or a comma list of suite
 * names. Where it must, a missing backend fails the suite instead of skipping it.
 */
export function backendRequired(suite: string): boolean {
  const v = (process.env.FOXCTL_TEST_REQUIRE ?? '').split(',').map((s) => s.trim().toLowerCase());
  return v.includes('all') || v.includes(suite.toLowerCase());
}
