/**
 * Container users as written in an image config or a USER instruction: `user[:group]`, each
 * part a name or a numeric id. Root is root by name or by uid 0, whatever the group, so
 * `root`, `0`, `root:root`, `0:0`, `0:somegroup` and `root:1000` are all the superuser.
 */

/** The user part of `user[:group]`, trimmed. */
export function userPart(spec: string): string {
  const trimmed = spec.trim();
  const colon = trimmed.indexOf(':');
  return (colon === -1 ? trimmed : trimmed.slice(0, colon)).trim();
}

/** True when `user[:group]` names the superuser: the name root or uid 0 (`0`, `00`). */
export function isRootUser(spec: string): boolean {
  const user = userPart(spec);
  return user === 'root' || /^0+$/.test(user);
}

/**
 * True when two user specs denote the same user. Root is matched by name or uid; other users
 * by the user part as written (mapping other names to uids needs the image's /etc/passwd).
 */
export function sameUser(a: string, b: string): boolean {
  if (isRootUser(a) || isRootUser(b)) return isRootUser(a) && isRootUser(b);
  return userPart(a) === userPart(b);
}
