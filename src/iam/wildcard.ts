/**
 * IAM wildcard matching: `*` is any run of characters (including none, including `/`), `?` is one
 * character. The two-pointer scan with one backtrack point is linear-ish and, unlike a RegExp
 * built from user input, cannot blow up on hostile patterns.
 */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < value.length) {
    const c = pattern[p];
    if (c === "?" || (c !== undefined && c !== "*" && c === value[v])) {
      p++;
      v++;
    } else if (c === "*") {
      starP = p++;
      starV = v;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** Case-insensitive variant, for action names (`s3:getobject` matches `s3:GetObject`). */
export function wildcardMatchFold(pattern: string, value: string): boolean {
  return wildcardMatch(pattern.toLowerCase(), value.toLowerCase());
}

export function hasWildcard(s: string): boolean {
  return s.includes("*") || s.includes("?");
}
