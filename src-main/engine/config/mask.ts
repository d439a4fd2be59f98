/** A token safe to show: only that it is set and its last 4 characters. */
export function maskToken(value: string): string {
  return value.length === 0 ? '' : `set (…${value.slice(-4)})`;
}

const SECRET_PARAMS = ['password', 'authtoken', 'token', 'sslpassword'];

/**
 * A URL or DSN safe to show: the password of its user info and secret query parameters
 * (`password`, `authToken`, `token`) replaced by `***`. Not a URL: returned unchanged unless it
 * looks like `user:pass@host`, whose password is masked too.
 */
export function maskUrlSecrets(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return value.replace(/^([^:/@\s]+):[^@\s]*@/, '$1:***@');
  }
  if (!u.host && !u.password && u.search === '') return value;
  let changed = false;
  if (u.password) {
    u.password = '***';
    changed = true;
  }
  for (const k of [...u.searchParams.keys()]) {
    if (SECRET_PARAMS.includes(k.toLowerCase())) {
      u.searchParams.set(k, '***');
      changed = true;
    }
  }
  return changed ? u.toString().replace(/%2A%2A%2A/g, '***') : value;
}
