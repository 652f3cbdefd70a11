/** POSIX path helpers for platforms without `node:path` (paths there are keys of an in-memory file system). */

/** Joins and normalises: `.` and empty segments drop, `..` removes the segment before it. */
export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((part) => part !== '').join('/'));
}

export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..' && segments.length > 0 && segments.at(-1) !== '..') segments.pop();
    else if (segment !== '..' || !absolute) segments.push(segment);
  }
  const joined = segments.join('/');
  const trailing = path.endsWith('/') && joined !== '' ? '/' : '';
  return absolute ? `/${joined}${trailing}` : `${joined || '.'}${trailing}`;
}

export function dirname(path: string): string {
  const normal = normalizePath(path).replace(/(.)\/$/, '$1');
  const slash = normal.lastIndexOf('/');
  if (slash < 0) return '.';
  return slash === 0 ? '/' : normal.slice(0, slash);
}

export function basename(path: string): string {
  const normal = normalizePath(path).replace(/(.)\/$/, '$1');
  return normal.slice(normal.lastIndexOf('/') + 1);
}
